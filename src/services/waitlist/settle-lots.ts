// Lots whose held spots changed by a write that is not about them (an account deleted with running offers: the
// offers' spots went to the next in each queue, or back to free, by the migration's triggers): read back after
// the commit and settled like any write of a lot, their live objects told. Read after the commit rather than in
// its transaction, which is still exact: each lot's entry and events are ordered by its availability version.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { Lot } from '../../schemas/lots.ts';
import { availabilitySql, notifyLive, type LotChange } from '../live/availability.ts';
import { selectLots } from '../lots/lot-view.ts';
import { settleLot } from '../lots/lots-service.ts';

export async function settleLotsOf(deps: Deps, lotIds: number[]): Promise<void> {
  for (const lotId of [...new Set(lotIds)]) {
    const [lot, availability] = await deps.db.batch([
      deps.db.execute<Lot>(selectLots(sql`l.id = ${lotId}`)),
      deps.db.execute<LotChange>(availabilitySql(sql`${lotId}`)),
    ]);
    const change = availability.rows[0];
    if (!lot.rows[0] || !change) continue;
    await settleLot(deps, lot.rows[0], change);
    notifyLive(deps, change);
  }
}
