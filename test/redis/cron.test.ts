// The daily cron job, run the way Cloudflare runs it: the Worker's `scheduled` handler inside workerd, with
// its waitUntil work awaited. Each test runs the job as of a day of its own far in the past (the scheduled time
// decides which days are past), so that the days it compacts are its own: the other test files count on today.
// The job state of this Redis starts afresh in each test, so a run first reads the 90 days before its date.
import { Redis } from '@upstash/redis/cloudflare';
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sql as sqlTag } from 'drizzle-orm';
import { makeDeps } from '../../src/deps.ts';
import type { Env } from '../../src/env.ts';
import worker from '../../src/index.ts';
import { Budget } from '../../src/jobs/budget.ts';
import { releaseDailyCounters, stageDailyMetrics } from '../../src/jobs/compact-daily-metrics.ts';
import { redisIdentity } from '../../src/jobs/job-state.ts';
import { keys as redisKeys } from '../../src/redis/keys.ts';
import { keys } from '../../src/redis/keys.ts';
import { makeUser, sql, unique } from '../helpers/fixtures.ts';
import { testEnv } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const redis = new Redis({
  url: testEnv.UPSTASH_REDIS_REST_URL!,
  token: testEnv.UPSTASH_REDIS_REST_TOKEN!,
  enableTelemetry: false,
  automaticDeserialization: false,
});

const seeded: string[] = [];
/** Every day this file counts on is before this one. */
const LAST_DAY = '2006-01-01';

async function seed(day: string, value: number | string, metric = 'logins'): Promise<string> {
  const key = `daily_${metric}:${day}`;
  seeded.push(key, redisKeys.compactedMarker(key));
  await redis.set(key, String(value));
  return key;
}

/** The job as scheduled at 00:05 UTC on `today`. */
async function runJob(today: string, env: Env = testEnv): Promise<void> {
  const controller = createScheduledController({ scheduledTime: Date.parse(`${today}T00:05:00Z`), cron: '5 0 * * *' });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

async function stored(...days: string[]) {
  return sql`SELECT day::text AS day, metric, value::int AS value, updated_at FROM daily_metrics
             WHERE day = ANY(${days}::date[]) ORDER BY metric, day`;
}

async function storedValue(day: string, metric = 'logins'): Promise<number | null> {
  const rows = await sql`SELECT value::int AS value FROM daily_metrics WHERE metric = ${metric} AND day = ${day}`;
  return rows[0] ? (rows[0].value as number) : null;
}

/** The oldest day the next run reads (besides the grace day before it). */
async function watermark(): Promise<string | null> {
  const [state] = await sql`SELECT daily_from::text AS daily_from FROM daily_job_state WHERE redis = ${redisIdentity(testEnv.UPSTASH_REDIS_REST_URL!)}`;
  return (state?.daily_from as string | undefined) ?? null;
}

beforeEach(async () => {
  await sql`DELETE FROM daily_job_state WHERE redis = ${redisIdentity(testEnv.UPSTASH_REDIS_REST_URL!)}`;
});

afterAll(async () => {
  await sql`DELETE FROM daily_metrics WHERE day < ${LAST_DAY}`;
  if (seeded.length > 0) await redis.del(...seeded);
});

describe('compaction of the daily counters', () => {
  it('moves every past day into daily_metrics, deletes those keys, and leaves today alone', async () => {
    const today = '2001-03-06';
    const past = [await seed('2001-03-04', 7), await seed('2001-03-05', 3), await seed('2001-03-04', 11, 'reservations')];
    const todays = await seed(today, 5);

    await runJob(today);

    const rows = await stored('2001-03-04', '2001-03-05', today);
    expect(rows.map(({ day, metric, value }) => ({ day, metric, value }))).toEqual([
      { day: '2001-03-04', metric: 'logins', value: 7 },
      { day: '2001-03-05', metric: 'logins', value: 3 },
      { day: '2001-03-04', metric: 'reservations', value: 11 },
    ]);
    expect(await redis.exists(...past)).toBe(0);
    expect(await redis.get(todays)).toBe('5');
  });

  it('changes nothing when it runs a second time', async () => {
    await seed('2002-06-01', 4);
    await seed('2002-06-02', 9);
    await runJob('2002-06-03');
    const first = await stored('2002-06-01', '2002-06-02');
    expect(first.map((row) => row.value)).toEqual([4, 9]);

    await runJob('2002-06-03');

    expect(await stored('2002-06-01', '2002-06-02')).toEqual(first); // same rows, same values, not even updated_at moved
  });

  it('loses and doubles nothing when it stops between the upsert and the delete', async () => {
    const key = await seed('2003-01-15', 4);

    // The first part of the job alone, as if the Worker died right after the upsert committed.
    const staged = await stageDailyMetrics(makeDeps(testEnv), [key]);
    expect(staged.counters.map((c) => c.key)).toEqual([key]);
    expect(await storedValue('2003-01-15')).toBe(4);
    expect(await redis.get(key)).toBe('4');

    await runJob('2003-01-16');

    expect(await storedValue('2003-01-15')).toBe(4);
    expect(await redis.exists(key)).toBe(0);
  });

  it('keeps a counter incremented between the read and the delete, and moves the rest next time', async () => {
    const key = await seed('2003-02-10', 4);
    const deps = makeDeps(testEnv);
    const staged = await stageDailyMetrics(deps, [key]);
    await redis.incrby(key, 2); // a late increment lands after the values were read

    await releaseDailyCounters(deps, staged.counters);
    expect(await redis.get(key)).toBe('6');
    expect(await storedValue('2003-02-10')).toBe(4);

    await runJob('2003-02-11');
    expect(await storedValue('2003-02-10')).toBe(6);
    expect(await redis.exists(key)).toBe(0);
  });

  it('holds the watermark at a day whose counter changed during the run, and moves that day in a later run', async () => {
    const key = await seed('2003-02-20', 4); // 70 days before the run: read in the run's first round trip
    const scope = tagged();
    await scope.configure('redis', { reply_delay_ms: 400 }); // each answer of the job's Redis comes 400 ms late
    const run = runJob('2003-05-01', { ...scope.env, REDIS_TIMEOUT_MS: '3000' });
    await vi.waitUntil(async () => (await scope.requestsServed('redis')) >= 1, { interval: 1 });
    await redis.incr(key); // after the MGET was served, before its answer (and so the release) came
    await scope.configure('redis', { reply_delay_ms: 0 });
    await run;
    // The release saw the counter change and kept it, so the watermark stays at its day. (The sweep may have met
    // the key later in the same run and moved it: it is a past day's key like any other.)
    expect(await watermark()).toBe('2003-02-20');

    await runJob('2003-05-06'); // days later: the day is far behind any grace, but the watermark waited for it
    expect(await storedValue('2003-02-20')).toBe(5);
    expect(await redis.exists(key)).toBe(0);
    expect(await watermark()).toBe('2003-05-06');
  });

  it('adds an increment that arrives after its day was compacted instead of overwriting the day', async () => {
    const key = await seed('2003-03-20', 5);
    await runJob('2003-03-21');
    expect(await storedValue('2003-03-20')).toBe(5);
    expect(await redis.exists(key)).toBe(0);

    await redis.incr(key); // recreates the key at 1: a request that began before midnight counted late
    await runJob('2003-03-22'); // the next night reads the day before the watermark again
    expect(await storedValue('2003-03-20')).toBe(6);
    expect(await redis.exists(key)).toBe(0);

    await runJob('2003-03-23');
    expect(await storedValue('2003-03-20')).toBe(6);
  });

  it('skips a counter that is not a count, still moves the others, and does not stop at it', async () => {
    const notCount = await seed('2004-02-27', 'many');
    const good = await seed('2004-02-28', 2);

    await runJob('2004-03-01');
    expect((await stored('2004-02-27', '2004-02-28')).map(({ day, value }) => ({ day, value }))).toEqual([{ day: '2004-02-28', value: 2 }]);
    expect(await redis.exists(good)).toBe(0);
    expect(await redis.get(notCount)).toBe('many'); // left in Redis for someone to look at
    expect(await watermark()).toBe('2004-03-01');
  });
});

describe('pruning of active_users', () => {
  it('removes a user whose sessions are all revoked and keeps one with a live session', async () => {
    const [gone, here] = [await makeUser(), await makeUser()];
    await redis.sadd(keys.activeUsers, String(gone.id), String(here.id));
    await sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${gone.id}`;

    await runJob('2005-01-01');

    expect(await redis.sismember(keys.activeUsers, String(gone.id))).toBe(0);
    expect(await redis.sismember(keys.activeUsers, String(here.id))).toBe(1);
  });
});

describe('pending cache invalidations', () => {
  it('clears the cache entries that writes could not clear while Redis was down', async () => {
    const cacheKey = `crontest:${unique('entry')}`;
    await redis.set(cacheKey, '{"stale":true}');
    seeded.push(cacheKey);
    await sql`INSERT INTO pending_invalidations (key) VALUES (${cacheKey})`;
    await runJob('2005-01-01');

    expect(await redis.exists(cacheKey)).toBe(0);
    expect(await sql`SELECT 1 FROM pending_invalidations WHERE key = ${cacheKey}`).toHaveLength(0);
  });
});

describe('with Redis unreachable', () => {
  it('fails the run but still does the Postgres housekeeping', async () => {
    const user = await makeUser();
    const [oldKey, freshKey] = [unique('idem-old-'), unique('idem-fresh-')];
    await sql`INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES
              (${user.id}, ${oldKey}, 'h', now() - interval '25 hours'), (${user.id}, ${freshKey}, 'h', now() - interval '1 hour')`;
    const hashes = { revokedLongAgo: unique('h'), expiredLongAgo: unique('h'), revokedYesterday: unique('h') };
    await sql`INSERT INTO sessions (user_id, token_hash, created_at, expires_at, revoked_at) VALUES
              (${user.id}, ${hashes.revokedLongAgo}, now() - interval '9 days', now() + interval '1 day', now() - interval '8 days'),
              (${user.id}, ${hashes.expiredLongAgo}, now() - interval '40 days', now() - interval '8 days', NULL),
              (${user.id}, ${hashes.revokedYesterday}, now() - interval '2 days', now() + interval '1 day', now() - interval '1 day')`;
    const key = await seed('2005-05-05', 8);

    const deadRedis: Env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    await expect(runJob('2005-05-06', deadRedis)).rejects.toThrow(
      /compact_daily_metrics, prune_active_users, apply_pending_invalidations, sweep_stray_daily_keys failed/,
    );

    const idempotency = await sql`SELECT key FROM idempotency_keys WHERE user_id = ${user.id} ORDER BY key`;
    expect(idempotency.map((row) => row.key)).toEqual([freshKey]);
    const sessions = await sql`SELECT token_hash FROM sessions WHERE user_id = ${user.id}`;
    const left = sessions.map((row) => row.token_hash as string);
    expect(left).toContain(hashes.revokedYesterday);
    expect(left).not.toContain(hashes.revokedLongAgo);
    expect(left).not.toContain(hashes.expiredLongAgo);
    expect(left).toHaveLength(2); // and the live session of the registration
    // nothing was moved: the counter is still in Redis and not in Postgres
    expect(await redis.get(key)).toBe('8');
    expect(await storedValue('2005-05-05')).toBeNull();
  });
});

describe('the budget of a run', () => {
  it('counts Redis round trips and Postgres queries, and lets no piece of work start once its time is up', async () => {
    let now = 1_000_000;
    const budget = new Budget(makeDeps(testEnv), { subrequests: 3, wallMs: 60_000 }, () => now);
    await Promise.all([budget.deps.redis.gateway.call((p) => p.get('crontest:nothing')), budget.deps.redis.gateway.call((p) => p.get('crontest:nothing'))]);
    await budget.deps.db.execute(sqlTag`SELECT 1`);
    expect(budget.spent).toBe(2); // one pipeline, one query
    expect(budget.allows(1)).toBe(true);
    expect(budget.allows(2)).toBe(false);
    expect(budget.forStep(1).allows(1)).toBe(false); // what is kept for later steps is not the step's
    now += 60_000;
    expect(budget.allows(1)).toBe(false);
  });
});
