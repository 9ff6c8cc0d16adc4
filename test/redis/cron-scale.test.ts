// The daily job at scale, on a Redis database and a PostgreSQL database of this file's own (test/global-setup.ts):
// beside the daily counters, 100 000 keys that are none of the job's business. What one run costs in round trips
// and bytes, what a run cut short by its budget leaves to the next, and how a large set, a backlog of rows and a
// backlog of invalidations are worked through. Each run is scheduled on a day of its test's own.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../src/redis/keys.ts';
import { addDays, clearDailyKeys, cronRedis, cronRedisUrl, cronSql, days, runDailyJob, seedCounters, seedFiller, stored, type JobRunResult } from '../helpers/daily-job.ts';
import { testEnv } from '../helpers/http.ts';

const FILLER_KEYS = 100_000;
/** The default DAILY_JOB_SUBREQUESTS: the free plan's 50 less room for re-sent queries. */
const DEFAULT_BUDGET = 45;
const redisHost = new URL(cronRedisUrl).host;

/** The largest request or answer of a run, in bytes. */
const largestExchange = (run: JobRunResult) => Math.max(...run.exchanges.map((e) => Math.max(e.sent, e.received)));
const subrequests = (run: JobRunResult) => run.redis + run.neon;

async function valuesOf(names: string[]): Promise<(string | null)[]> {
  return cronRedis.mget<(string | null)[]>(...names);
}

const setWatermark = (day: string) => cronSql`INSERT INTO daily_job_state (redis, daily_from) VALUES (${redisHost}, ${day})`;

beforeAll(async () => {
  if (testEnv.CRON_DATABASE_URL === testEnv.DATABASE_URL) {
    throw new Error('This file needs a PostgreSQL database of its own (real PostgreSQL; PGlite has only one): start PostgreSQL on 127.0.0.1:5432 or run bash .ci/run.');
  }
  await cronRedis.flushdb();
  await seedFiller(FILLER_KEYS);
}, 120_000);

beforeEach(async () => {
  await Promise.all([cronSql`DELETE FROM daily_job_state`, cronSql`DELETE FROM daily_metrics`, cronSql`DELETE FROM pending_invalidations`]);
  await clearDailyKeys();
});

describe('the compaction among 100 000 other keys', () => {
  it('moves 60 past days in one run, in a number of round trips that does not grow with the keyspace', async () => {
    const today = '2011-03-01';
    const counters = await seedCounters(days(addDays(today, -60), addDays(today, -1)));
    const todays = await seedCounters([today]);

    const run = await runDailyJob(today);

    expect(await stored()).toEqual(counters);
    expect(new Set(await valuesOf([...counters.keys()]))).toEqual(new Set([null])); // released…
    expect(await valuesOf([...counters.keys()].map(keys.compactedMarker))).toEqual([...counters.values()].map(String)); // …with their markers
    expect(await valuesOf([...todays.keys()])).toEqual([...todays.values()].map(String));
    // Redis: 3 MGETs (91 days from the first run's start, 31 a round trip), 2 releases and the EVAL of a script Redis
    // has not seen yet, the SSCAN of active_users, the sweep's 10 SCAN pages. Postgres: the state read and written,
    // 2 upserts, the SELECT of pending invalidations, one housekeeping batch.
    expect(run.redis).toBeLessThanOrEqual(17);
    expect(run.neon).toBeLessThanOrEqual(6);
    expect(subrequests(run)).toBeLessThanOrEqual(DEFAULT_BUDGET);
    expect(largestExchange(run)).toBeLessThan(16 * 1024);
    expect(run.steps.get('done')).toMatchObject({ ok: true, unfinished: [] });
  });

  it('changes nothing when it runs a second time', async () => {
    const today = '2011-06-01';
    const counters = await seedCounters(days(addDays(today, -60), addDays(today, -1)));
    const names = [...counters.keys()].flatMap((name) => [name, keys.compactedMarker(name)]);
    await runDailyJob(today);
    const [rows, redisValues] = [await cronSql`SELECT * FROM daily_metrics ORDER BY day, metric`, await valuesOf(names)];

    const again = await runDailyJob(today);

    expect(await cronSql`SELECT * FROM daily_metrics ORDER BY day, metric`).toEqual(rows); // not even updated_at moved
    expect(await valuesOf(names)).toEqual(redisValues);
    expect(again.steps.get('compact_daily_metrics')).toMatchObject({ days: 1, keys: 0, rowsWritten: 0 });
  });

  it('adds, the next night, an increment that came in after its day was compacted', async () => {
    const today = '2011-07-01';
    const counters = await seedCounters([addDays(today, -1)]);
    const [key] = [...counters.keys()];
    await runDailyJob(today);
    await cronRedis.incrby(key!, 2); // a request that began before midnight counted after the run

    const next = await runDailyJob(addDays(today, 1)); // the listing reads the day before its watermark again
    expect(next.steps.get('compact_daily_metrics')).toMatchObject({ keys: 1, rowsWritten: 1 });
    expect((await stored()).get(key!)).toBe(counters.get(key!)! + 2);
    expect(await valuesOf([key!, keys.compactedMarker(key!)])).toEqual([null, String(counters.get(key!)! + 2)]);
  });

  it('stops a run at its budget, and the next run moves the rest: nothing lost, nothing doubled', async () => {
    const today = '2011-09-01';
    await setWatermark(addDays(today, -60)); // the job last ran 60 days ago
    const counters = await seedCounters(days(addDays(today, -60), addDays(today, -1)));

    // 22 subrequests: the state's read and write and the smallest piece of each later step (16) leave room for
    // one month of days.
    const first = await runDailyJob(today, { DAILY_JOB_SUBREQUESTS: '22' });
    expect(subrequests(first)).toBeLessThanOrEqual(22);
    expect(first.steps.get('compact_daily_metrics')).toMatchObject({ ok: true, more: true });
    expect(first.steps.get('done')).toMatchObject({ ok: true, unfinished: expect.arrayContaining(['compact_daily_metrics']) });
    const moved = await stored();
    expect(moved.size).toBeGreaterThan(0);
    expect(moved.size).toBeLessThan(counters.size);
    const names = [...counters.keys()];
    const left = await valuesOf(names);
    names.forEach((name, i) => {
      if (moved.has(name)) expect([name, moved.get(name), left[i]]).toEqual([name, counters.get(name), null]);
      else expect([name, left[i]]).toEqual([name, String(counters.get(name))]);
    });

    // Between the runs, a late increment of the last day moved and an increment of a day still waiting.
    const lastMoved = [...moved.keys()].sort((a, b) => a.split(':')[1]!.localeCompare(b.split(':')[1]!)).pop()!;
    const waiting = names.find((name) => !moved.has(name))!;
    await cronRedis.incrby(lastMoved, 3);
    await cronRedis.incrby(waiting, 4);
    counters.set(lastMoved, counters.get(lastMoved)! + 3);
    counters.set(waiting, counters.get(waiting)! + 4);

    const second = await runDailyJob(addDays(today, 1));
    expect(second.steps.get('compact_daily_metrics')).toMatchObject({ ok: true, more: false });
    expect(await stored()).toEqual(counters);
    expect(new Set(await valuesOf(names))).toEqual(new Set([null]));
  });

  it('catches up a long outage over a few runs, each within the default budget', async () => {
    const today = '2012-03-01';
    await setWatermark(addDays(today, -400));
    const counters = await seedCounters(days(addDays(today, -400), addDays(today, -1)).filter((_, i) => i % 10 === 0));

    const first = await runDailyJob(today);
    expect((await stored()).size).toBeLessThan(counters.size);
    expect(first.steps.get('compact_daily_metrics')).toMatchObject({ more: true });
    const second = await runDailyJob(addDays(today, 1));
    expect(second.steps.get('compact_daily_metrics')).toMatchObject({ more: false });
    expect(await stored()).toEqual(counters);
    for (const run of [first, second]) expect(subrequests(run)).toBeLessThanOrEqual(DEFAULT_BUDGET);
  });

  it('finds the keys it cannot name (a retired metric, a day before the watermark) within one pass of the sweep', async () => {
    const today = '2012-09-01';
    await setWatermark(addDays(today, -1));
    const strays = { [`daily_retired:${addDays(today, -5)}`]: 7, [`daily_logins:${addDays(today, -200)}`]: 9 };
    const unmovable = { 'daily_logins:2012-02-30': '3', [`daily_registrations:${addDays(today, -300)}`]: 'lots' };
    await cronRedis.mset({ ...strays, ...unmovable });

    const reported = new Set<unknown>();
    let runs = 0;
    for (let passComplete = false; !passComplete && runs < 10; runs++) {
      const run = await runDailyJob(addDays(today, runs));
      expect(subrequests(run)).toBeLessThanOrEqual(DEFAULT_BUDGET);
      const sweep = run.steps.get('sweep_stray_daily_keys')!;
      (sweep.unmovableKeys as unknown[]).forEach((key) => reported.add(key));
      passComplete = sweep.passComplete === true;
    }
    expect(runs).toBeLessThanOrEqual(6); // 100 000 keys are 50 SCAN pages of 2 000; 10 pages a run
    expect(await stored()).toEqual(new Map(Object.entries(strays)));
    expect(await valuesOf(Object.keys(strays))).toEqual([null, null]);
    expect(await valuesOf(Object.keys(unmovable))).toEqual(Object.values(unmovable)); // left for someone to look at
    expect(reported).toEqual(new Set(Object.keys(unmovable)));
  });
});

describe('the other steps, with more than a run can do', () => {
  it('prunes a large active_users in bounded pages, going on from its cursor in the next runs', async () => {
    const today = '2013-03-01';
    await setWatermark(today);
    const users = await cronSql`INSERT INTO users (email, password_hash, name)
      SELECT 'live' || g || '.' || ${today} || '@parkedge.test', 'x', 'Live' FROM generate_series(1, 20) g RETURNING id`;
    const live = users.map((row) => String(row.id));
    await cronSql`INSERT INTO sessions (user_id, token_hash, expires_at)
      SELECT id, 'live-' || id, now() + interval '1 day' FROM unnest(${live}::int[]) AS id`;
    const stale = [...Array.from({ length: 11_979 }, (_, i) => String(2_000_000_000 + i)), 'not-a-user'];
    for (let start = 0; start < stale.length; start += 4000) await cronRedis.sadd(keys.activeUsers, ...(stale.slice(start, start + 4000) as [string]));
    await cronRedis.sadd(keys.activeUsers, ...(live as [string]));
    const liveKept = async () => expect(await cronRedis.smismember(keys.activeUsers, live)).toEqual(live.map(() => 1));

    const runs = [await runDailyJob(today, { DAILY_JOB_SUBREQUESTS: '22' })];
    const afterFirst = await cronRedis.scard(keys.activeUsers);
    expect(afterFirst).toBeLessThan(stale.length + live.length);
    expect(afterFirst).toBeGreaterThan(live.length); // the budget stopped it part of the way
    await liveKept();
    expect(runs[0]!.steps.get('prune_active_users')).toMatchObject({ ok: true, more: true });
    while (runs.length < 10 && runs[runs.length - 1]!.steps.get('prune_active_users')!.more) {
      runs.push(await runDailyJob(addDays(today, runs.length)));
      await liveKept();
    }
    expect((await cronRedis.smembers(keys.activeUsers)).sort()).toEqual([...live].sort());
    // A page is about 2 000 members (24 KB); the whole set (12 000 members, 130 KB) never crosses the wire at once.
    for (const run of runs) expect(largestExchange(run)).toBeLessThan(64 * 1024);
  });

  it('deletes a backlog of expired rows in statements of at most 5 000 rows each', async () => {
    const [user] = await cronSql`INSERT INTO users (email, password_hash, name) VALUES ('housekeeping@parkedge.test', 'x', 'H') RETURNING id`;
    await cronSql`INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
      SELECT ${user!.id}::int, 'old-' || g, 'h', now() - interval '2 days' FROM generate_series(1, 12000) g
      UNION ALL SELECT ${user!.id}::int, 'fresh-' || g, 'h', now() FROM generate_series(1, 5) g`;
    await cronSql`INSERT INTO sessions (user_id, token_hash, expires_at, revoked_at)
      SELECT ${user!.id}::int, 'ended-' || g, now() + interval '1 day', now() - interval '8 days' FROM generate_series(1, 6000) g
      UNION ALL SELECT ${user!.id}::int, 'live-housekeeping', now() + interval '1 day', NULL`;
    // Each DELETE statement's row count, as PostgreSQL sees it (a statement trigger's transition table).
    await cronSql`CREATE TABLE IF NOT EXISTS deleted_per_statement (tbl text, n int)`;
    await cronSql`CREATE OR REPLACE FUNCTION count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO deleted_per_statement SELECT TG_TABLE_NAME, count(*) FROM gone; RETURN NULL; END $$`;
    for (const table of ['idempotency_keys', 'sessions']) {
      await cronSql.query(`CREATE OR REPLACE TRIGGER count_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION count_deleted()`);
    }
    try {
      const run = await runDailyJob('2013-06-01');
      const perStatement = await cronSql`SELECT tbl, max(n)::int AS largest, sum(n)::int AS total FROM deleted_per_statement GROUP BY tbl ORDER BY tbl`;
      expect(perStatement).toEqual([
        { tbl: 'idempotency_keys', largest: 5000, total: 12000 },
        { tbl: 'sessions', largest: 5000, total: 6000 },
      ]);
      expect((await cronSql`SELECT key FROM idempotency_keys WHERE user_id = ${user!.id}`).map((row) => row.key).sort()).toEqual(
        ['fresh-1', 'fresh-2', 'fresh-3', 'fresh-4', 'fresh-5'],
      );
      expect((await cronSql`SELECT token_hash FROM sessions WHERE user_id = ${user!.id}`).map((row) => row.token_hash)).toEqual(['live-housekeeping']);
      expect(run.steps.get('delete_expired_records')).toMatchObject({ ok: true, idempotencyKeysDeleted: 12000, sessionsDeleted: 6000, batches: 3, more: false });
    } finally {
      for (const table of ['idempotency_keys', 'sessions']) await cronSql.query(`DROP TRIGGER IF EXISTS count_deleted ON ${table}`);
      await cronSql`DELETE FROM deleted_per_statement`;
    }
  });

  it('applies a backlog of pending invalidations over two runs when one run cannot', async () => {
    const today = '2013-09-01';
    await setWatermark(today);
    const cached = Array.from({ length: 4000 }, (_, i) => `parking_lot:${i + 1}`);
    for (let start = 0; start < cached.length; start += 500) {
      await cronRedis.mset(Object.fromEntries(cached.slice(start, start + 500).map((key) => [key, '{"stale":true}'])));
    }
    await cronSql`INSERT INTO pending_invalidations (key) SELECT unnest(${cached}::text[])`;
    const pending = async () => Number((await cronSql`SELECT count(*)::int AS n FROM pending_invalidations`)[0]!.n);

    const first = await runDailyJob(today, { DAILY_JOB_SUBREQUESTS: '22' });
    const left = await pending();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(cached.length);
    expect((await valuesOf(cached)).filter((value) => value !== null)).toHaveLength(left); // each row gone was applied
    expect(first.steps.get('apply_pending_invalidations')).toMatchObject({ ok: true, more: true });
    expect(first.steps.get('done')).toMatchObject({ ok: true }); // stopped by its budget, not failed

    const second = await runDailyJob(addDays(today, 1));
    expect(second.steps.get('apply_pending_invalidations')).toMatchObject({ ok: true, more: false });
    expect(await pending()).toBe(0);
    expect(new Set(await valuesOf(cached))).toEqual(new Set([null]));
  });
});

describe('the budget', () => {
  it('gives every step a piece of work even at the smallest setting, and refuses a smaller one', async () => {
    const today = '2014-03-01';
    await setWatermark(addDays(today, -60));
    await seedCounters(days(addDays(today, -60), addDays(today, -1)));
    await cronRedis.sadd(keys.activeUsers, '2000000001');
    await cronSql`INSERT INTO pending_invalidations (key) VALUES ('parking_lot:1')`;

    const run = await runDailyJob(today, { DAILY_JOB_SUBREQUESTS: '21' });
    expect(subrequests(run)).toBeLessThanOrEqual(21);
    expect(run.steps.get('compact_daily_metrics')).toMatchObject({ ok: true, days: 31 });
    expect(run.steps.get('prune_active_users')).toMatchObject({ ok: true, pages: 1, removed: 1 });
    expect(run.steps.get('apply_pending_invalidations')).toMatchObject({ ok: true, applied: 1 });
    expect(run.steps.get('delete_expired_records')).toMatchObject({ ok: true, batches: 1 });
    expect(run.steps.get('sweep_stray_daily_keys')).toMatchObject({ ok: true });
    expect(run.steps.get('sweep_stray_daily_keys')!.pages).toBeGreaterThanOrEqual(1); // 2 when no EVAL was needed

    await expect(runDailyJob(today, { DAILY_JOB_SUBREQUESTS: '20' })).rejects.toThrow(/DAILY_JOB_SUBREQUESTS must be an integer from 21 to 10000/);
  });
});
