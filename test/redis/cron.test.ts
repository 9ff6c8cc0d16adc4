// The daily cron job, run the way Cloudflare runs it: the Worker's `scheduled` handler inside workerd, with
// its waitUntil work awaited. Counters are seeded on days far in the past under metric names of this file's
// own, so that the real counters of other test files (which live on today's date) are never in the way.
import { Redis } from '@upstash/redis/cloudflare';
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDeps } from '../../src/deps.ts';
import type { Env } from '../../src/env.ts';
import worker from '../../src/index.ts';
import { releaseDailyCounters, stageDailyMetrics } from '../../src/jobs/compact-daily-metrics.ts';
import { keys as redisKeys } from '../../src/redis/keys.ts';
import { dayOf, keys } from '../../src/redis/keys.ts';
import { makeUser, sql, unique } from '../helpers/fixtures.ts';
import { testEnv } from '../helpers/http.ts';

const redis = new Redis({
  url: testEnv.UPSTASH_REDIS_REST_URL!,
  token: testEnv.UPSTASH_REDIS_REST_TOKEN!,
  enableTelemetry: false,
  automaticDeserialization: false,
});

const seeded: string[] = [];

/** Metric names may only hold lower-case letters and underscores (keys.ts, dailyKeyPattern). */
function metricName(): string {
  const letters = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => String.fromCharCode(97 + (b % 26))).join('');
  return `crontest_${letters}`;
}

async function seed(metric: string, day: string, value: number | string): Promise<string> {
  const key = `daily_${metric}:${day}`;
  seeded.push(key, redisKeys.compactedMarker(key));
  await redis.set(key, String(value));
  return key;
}

async function runJob(env: Env = testEnv, scheduledTime = Date.now()): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: '5 0 * * *' });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

async function stored(...metrics: string[]) {
  return sql`SELECT day::text AS day, metric, value::int AS value, updated_at FROM daily_metrics
             WHERE metric = ANY(${metrics}) ORDER BY metric, day`;
}

async function storedValue(metric: string, day: string): Promise<number | null> {
  const rows = await sql`SELECT value::int AS value FROM daily_metrics WHERE metric = ${metric} AND day = ${day}`;
  return rows[0] ? (rows[0].value as number) : null;
}

afterAll(async () => {
  await sql`DELETE FROM daily_metrics WHERE metric LIKE 'crontest\\_%'`;
  if (seeded.length > 0) await redis.del(...seeded);
});

describe('compaction of the daily counters', () => {
  it('moves every past day into daily_metrics, deletes those keys, and leaves today alone', async () => {
    const [logins, bookings] = [metricName(), metricName()];
    const today = dayOf(new Date());
    const past = [await seed(logins, '2001-03-04', 7), await seed(logins, '2001-03-05', 3), await seed(bookings, '2001-03-04', 11)];
    const todays = await seed(logins, today, 5);

    await runJob();

    const rows = await stored(logins, bookings);
    expect(rows.map(({ day, metric, value }) => ({ day, metric, value }))).toEqual(
      [
        { day: '2001-03-04', metric: logins, value: 7 },
        { day: '2001-03-05', metric: logins, value: 3 },
        { day: '2001-03-04', metric: bookings, value: 11 },
      ].sort((a, b) => a.metric.localeCompare(b.metric) || a.day.localeCompare(b.day)),
    );
    expect(await redis.exists(...past)).toBe(0);
    expect(await redis.get(todays)).toBe('5');
    expect(await storedValue(logins, today)).toBeNull();
  });

  it('changes nothing when it runs a second time', async () => {
    const metric = metricName();
    await seed(metric, '2002-06-01', 4);
    await seed(metric, '2002-06-02', 9);
    await runJob();
    const first = await stored(metric);
    expect(first.map((row) => row.value)).toEqual([4, 9]);

    await runJob();

    expect(await stored(metric)).toEqual(first); // same rows, same values, not even updated_at moved
  });

  it('loses and doubles nothing when it stops between the upsert and the delete', async () => {
    const metric = metricName();
    const key = await seed(metric, '2003-01-15', 4);

    // The first part of the job alone, as if the Worker died right after the upsert committed.
    const staged = await stageDailyMetrics(makeDeps(testEnv), new Date());
    expect(staged.counters.map((c) => c.key)).toContain(key);
    expect(await storedValue(metric, '2003-01-15')).toBe(4);
    expect(await redis.get(key)).toBe('4');

    await runJob();

    expect(await storedValue(metric, '2003-01-15')).toBe(4);
    expect(await redis.exists(key)).toBe(0);
  });

  it('keeps a counter incremented between the read and the delete, and moves the rest next time', async () => {
    const metric = metricName();
    const key = await seed(metric, '2003-02-10', 4);
    const deps = makeDeps(testEnv);
    const staged = await stageDailyMetrics(deps, new Date());
    await redis.incrby(key, 2); // a late increment lands after the values were read

    await releaseDailyCounters(deps, staged.counters);
    expect(await redis.get(key)).toBe('6');
    expect(await storedValue(metric, '2003-02-10')).toBe(4);

    await runJob();
    expect(await storedValue(metric, '2003-02-10')).toBe(6);
    expect(await redis.exists(key)).toBe(0);
  });

  it('adds an increment that arrives after its day was compacted instead of overwriting the day', async () => {
    const metric = metricName();
    const key = await seed(metric, '2003-03-20', 5);
    await runJob();
    expect(await storedValue(metric, '2003-03-20')).toBe(5);
    expect(await redis.exists(key)).toBe(0);

    await redis.incr(key); // recreates the key at 1
    await runJob();
    expect(await storedValue(metric, '2003-03-20')).toBe(6);
    expect(await redis.exists(key)).toBe(0);

    await runJob();
    expect(await storedValue(metric, '2003-03-20')).toBe(6);
  });

  it('skips keys it cannot move (an impossible date, a value that is not a count) and still moves the others', async () => {
    const metric = metricName();
    const badDay = await seed(metric, '2004-02-30', 3);
    const notCount = await seed(metric, '2004-02-27', 'many');
    const good = await seed(metric, '2004-02-28', 2);

    await runJob();

    expect((await stored(metric)).map(({ day, value }) => ({ day, value }))).toEqual([{ day: '2004-02-28', value: 2 }]);
    expect(await redis.exists(good)).toBe(0);
    expect(await redis.get(badDay)).toBe('3');
    expect(await redis.get(notCount)).toBe('many');
    await redis.del(badDay, notCount); // or every later run in this file would log them again
  });
});

describe('pruning of active_users', () => {
  it('removes a user whose sessions are all revoked and keeps one with a live session', async () => {
    const [gone, here] = [await makeUser(), await makeUser()];
    await redis.sadd(keys.activeUsers, String(gone.id), String(here.id));
    await sql`UPDATE sessions SET revoked_at = now() WHERE user_id = ${gone.id}`;

    await runJob();

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
    await runJob(testEnv);

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
    const metric = metricName();
    const key = await seed(metric, '2005-05-05', 8);

    const deadRedis: Env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    await expect(runJob(deadRedis)).rejects.toThrow(/compact_daily_metrics, prune_active_users, apply_pending_invalidations failed/);

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
    expect(await storedValue(metric, '2005-05-05')).toBeNull();
  });
});
