// The lot object's part in the waitlist: its alarm lapses the offers whose time is up (the spot then goes to the
// next in the queue, by the migration's triggers, in the same transaction) and writes the lot's cache entry
// through, as a Worker's write does after its commit. The object learns when the next offer ends from every
// change it is told (hold_until_ms), so each lot's holds end on time without any cron.
import { sql } from 'drizzle-orm';
import { makeDeps } from '../../deps.ts';
import type { Env } from '../../env.ts';
import type { Lot } from '../../schemas/lots.ts';
import type { WaitlistOfferedEvent } from '../../schemas/waitlist.ts';
import { availabilitySql, type LotChange } from '../../services/live/availability.ts';
import { lockLot } from '../../services/lots/lot-lock.ts';
import { selectLots } from '../../services/lots/lot-view.ts';
import { settleLot } from '../../services/lots/lots-service.ts';

/** Where the object keeps its lot's next hold deadline (its alarm may fire after an eviction). */
export type Hold = { lot: number; until: number };

/** After a failed lapse (PostgreSQL down), the alarm tries again this much later. */
export const RETRY_MS = 5000;
/** The database's clock decides when an offer ends; an alarm that came a little early looks again this soon. */
export const EARLY_MS = 250;

/**
 * Lapses the lot's due offers, after the lot's lock (FOR NO KEY UPDATE, as every change of its queue) and reads
 * the lot after it in the same transaction; settles the lot's cache entry when its version moved past `known`.
 * Null when the lot is gone.
 */
export async function lapseDue(env: Env, lotId: number, known: number): Promise<LotChange | null> {
  const deps = makeDeps(env);
  const [, , lot, availability] = await deps.db.batch([
    deps.db.execute(lockLot(lotId, 'NO KEY UPDATE')),
    deps.db.execute(sql`SELECT waitlist_lapse_due(${lotId})`),
    deps.db.execute<Lot>(selectLots(sql`l.id = ${lotId}`)),
    deps.db.execute<LotChange>(availabilitySql(sql`${lotId}`)),
  ]);
  const change = availability.rows[0] ?? null;
  if (change && lot.rows[0] && change.version > known) await settleLot(deps, lot.rows[0], change);
  return change;
}

/**
 * The alarm's part: lapses the lot's due offers, tells the change (`tell`: as any change the Worker tells), and
 * keeps the next deadline; PostgreSQL down, it looks again after RETRY_MS.
 */
export async function lapseOffers(env: Env, holds: Holds, lotId: number, known: number, tell: (change: LotChange) => Promise<void>): Promise<void> {
  let change: LotChange | null;
  try {
    change = await lapseDue(env, lotId, known);
  } catch {
    return holds.set({ lot: lotId, until: Date.now() + RETRY_MS });
  }
  if (!change) return holds.set(null);
  await tell(change);
  // Nothing lapsed (an early alarm, by the database's clock): the deadline stands, looked at again shortly.
  if (change.version <= known) await holds.set(holdOf(change));
}

/** The deadline a change tells (null: no offer runs). */
export function holdOf(change: LotChange): Hold | null {
  return change.hold_until_ms == null ? null : { lot: change.lot_id, until: change.hold_until_ms };
}

/** The object's stored deadline, read once per wake-up. */
export class Holds {
  private hold: Hold | null | undefined;
  private readonly storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  async load(): Promise<Hold | null> {
    this.hold ??= (await this.storage.get<Hold>('hold')) ?? null;
    return this.hold;
  }

  async set(hold: Hold | null): Promise<void> {
    if (hold && hold.until <= Date.now()) hold = { ...hold, until: Date.now() + EARLY_MS };
    this.hold = hold;
    if (hold) await this.storage.put('hold', hold);
    else await this.storage.delete('hold');
  }

  /** The storage was wiped (the lot was deleted). */
  forget(): void {
    this.hold = null;
  }
}

export function offeredEvents(change: LotChange, at: string): WaitlistOfferedEvent[] {
  return (change.offers ?? []).map((offer) => ({ lot_id: change.lot_id, ...offer, version: change.version, at }));
}
