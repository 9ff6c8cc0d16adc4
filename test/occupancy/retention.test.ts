// The daily job's housekeeping prunes the occupancy hours older than 8 weeks and a day, all but each lot's newest
// row before the cutoff: what the endpoint and the forecast answer does not change by it.
import { describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import { deleteExpiredRecords } from '../../src/jobs/housekeeping.ts';
import type { JobRun } from '../../src/jobs/run.ts';
import type { StepBudget } from '../../src/jobs/budget.ts';
import { freshJobState } from '../../src/jobs/job-state.ts';
import { call, testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, redisClient, sql } from '../helpers/fixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the retention of the occupancy hours', () => {
  it('keeps 57 days and the row the first of them carries on from, and answers the same after', async () => {
    if (3_600_000 - (Date.now() % HOUR) < 20_000) await new Promise((resolve) => setTimeout(resolve, 21_000));
    const H = Date.now() - (Date.now() % HOUR);
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 10 });
    const ages = [80 * DAY, 70 * DAY, 60 * DAY, 57 * DAY + HOUR, 56 * DAY + 5 * HOUR, 30 * DAY, 7 * DAY - HOUR];
    for (const [i, age] of ages.entries()) {
      const hour = new Date(H - age).toISOString();
      await sql`INSERT INTO lot_occupancy_hours (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
                VALUES (${lot.id}, ${hour}, 0, ${i + 1}, ${(i + 1) * 900}, ${i + 1}, 10, ${new Date(H - age + 1800_000).toISOString()})`;
    }
    const range = `from=${new Date(H - 56 * DAY).toISOString()}&to=${new Date(H - 25 * DAY).toISOString()}`;
    const before = (await call('GET', `/parking-lots/${lot.id}/occupancy?${range}`)).body;
    await redisClient().del(`lot_forecast:${lot.id}`);
    const forecastBefore = (await call('GET', `/parking-lots/${lot.id}`)).body.forecast;

    const budget: StepBudget = { allows: () => true } as unknown as StepBudget;
    const run: JobRun = { deps: makeDeps(testEnv), now: new Date(), today: new Date().toISOString().slice(0, 10), budget, state: freshJobState() };
    const outcome = await deleteExpiredRecords(run);
    expect(outcome.occupancyHoursDeleted).toBeGreaterThanOrEqual(3);

    const kept = (await sql`SELECT hour FROM lot_occupancy_hours WHERE lot_id = ${lot.id} ORDER BY hour`) as { hour: string }[];
    const keptAges = kept.map((r) => H - Date.parse(r.hour));
    expect(keptAges).toEqual([57 * DAY + HOUR, 56 * DAY + 5 * HOUR, 30 * DAY, 7 * DAY - HOUR, 0]);
    expect((await call('GET', `/parking-lots/${lot.id}/occupancy?${range}`)).body).toEqual(before);
    await redisClient().del(`lot_forecast:${lot.id}`);
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.forecast).toEqual(forecastBefore);
    expect(forecastBefore.hours.map((h: { weeks: number }) => h.weeks)).toEqual([8, 8, 8]);
  });
});
