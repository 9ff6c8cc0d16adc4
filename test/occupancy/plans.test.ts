// Every statement that reads or prunes the occupancy hours runs on an index, never a scan of the table: the
// endpoint and the forecast probe the primary key (lot_id, hour) backwards, one row per hour asked for; the
// daily pruning walks the hour index. Sequential scans are forbidden in the transaction, so a statement that
// could not do without one would still scan (at a prohibitive cost) and the plan would say so.
import { sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import { batchStatement } from '../../src/jobs/housekeeping.ts';
import { forecastStatement, occupancyStatement } from '../../src/services/lots/occupancy-sql.ts';
import { testEnv } from '../helpers/http.ts';

async function planOf(statement: SQL): Promise<string> {
  const deps = makeDeps(testEnv);
  const [, plan] = await deps.db.batch([
    deps.db.execute(sql`SET LOCAL enable_seqscan = off`),
    deps.db.execute<{ 'QUERY PLAN': unknown }>(sql`EXPLAIN (FORMAT JSON) ${statement}`),
  ]);
  return JSON.stringify(plan.rows[0]!['QUERY PLAN']);
}

const seqScanOfHours = /"Node Type":"Seq Scan"[^}]*"Relation Name":"lot_occupancy_hours"/;

describe('the occupancy statements', () => {
  it('the endpoint: one probe of the primary key per hour of the range', async () => {
    const now = Date.now();
    const text = await planOf(occupancyStatement(7, new Date(now - 31 * 86_400_000), new Date(now)));
    expect(text).toContain('"Index Name":"lot_occupancy_hours_lot_id_hour_pk"');
    expect(text).toMatch(/"Scan Direction":"Backward"/);
    expect(text).not.toMatch(seqScanOfHours);
  });

  it('the forecast: one probe of the primary key per past week and hour ahead', async () => {
    const text = await planOf(forecastStatement(7, new Date(Date.now() - (Date.now() % 3_600_000))));
    expect(text).toContain('"Index Name":"lot_occupancy_hours_lot_id_hour_pk"');
    expect(text).not.toMatch(seqScanOfHours);
  });

  it("the daily pruning: the old hours by the hour index, each lot's later rows by the primary key", async () => {
    const text = await planOf(batchStatement());
    expect(text).toContain('"Index Name":"lot_occupancy_hours_hour_idx"');
    expect(text).not.toMatch(seqScanOfHours);
  });
});
