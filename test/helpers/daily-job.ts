// Running the daily job the way Cloudflare runs it (the Worker's `scheduled` handler, its waitUntil work awaited),
// as of a given day, on the Redis database and the PostgreSQL database kept for it (test/global-setup.ts; used by
// test/redis/cron-scale.test.ts and bench/daily-job.bench.ts), and watching what it costs: round trips as the
// stand-ins count them for the run's tag, the bytes of each request and answer on the wire, the lines it logs.
import { neon } from '@neondatabase/serverless';
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { vi } from 'vitest';
import type { Env } from '../../src/env.ts';
import { dailyCounters, dailyMetrics } from '../../src/redis/keys.ts';
import worker from '../../src/index.ts';
import { redisClient } from './fixtures.ts';
import { testEnv } from './http.ts';
import { tagged } from './stand-ins.ts';

export const cronRedisUrl = testEnv.CRON_REDIS_URL;
export const cronRedis = redisClient(cronRedisUrl);
/** Direct SQL on the job's database (the fixtures set the Neon endpoint). */
export const cronSql = neon(testEnv.CRON_DATABASE_URL);

/** The calendar day `n` days after `day`. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** Every day from `first` to `last`, both included. */
export function days(first: string, last: string): string[] {
  const all: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) all.push(day);
  return all;
}

export async function deleteMatching(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await cronRedis.scan(cursor, { match: pattern, count: 10_000 });
    if (found.length > 0) await cronRedis.del(...found);
    cursor = String(next);
  } while (cursor !== '0');
}

/** Every metric of each day, counted up to a value of its own; answers key → value. */
export async function seedCounters(onDays: string[]): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  onDays.forEach((day, i) => dailyMetrics.forEach((metric, m) => counters.set(dailyCounters[metric](day), 1 + ((i * 37 + m * 11) % 500))));
  await cronRedis.mset(Object.fromEntries(counters));
  return counters;
}

/** What daily_metrics holds, under the names of the Redis counters. */
export async function stored(): Promise<Map<string, number>> {
  const rows = await cronSql`SELECT day::text AS day, metric, value::int AS value FROM daily_metrics`;
  return new Map(rows.map((row) => [`daily_${row.metric}:${row.day}`, row.value as number]));
}

/** `count` keys that are none of the job's business. */
export async function seedFiller(count: number): Promise<void> {
  for (let start = 0; start < count; start += 5000) {
    const size = Math.min(5000, count - start);
    await cronRedis.mset(Object.fromEntries(Array.from({ length: size }, (_, i) => [`filler:${start + i}`, 'x'])));
  }
}

/** Removes every daily counter and every marker of the job's Redis. */
export async function clearDailyKeys(): Promise<void> {
  await deleteMatching('daily_*');
  await deleteMatching('compacted:*');
}

/** One HTTP exchange of the job with Upstash or Neon: the request body's and the answer's size in bytes. */
export interface Exchange {
  to: 'redis' | 'neon';
  sent: number;
  received: number;
}

export interface JobRunResult {
  /** Round trips the stand-ins served for this run's tag. */
  redis: number;
  neon: number;
  exchanges: Exchange[];
  /** The JSON lines the job logged, by step. */
  steps: Map<string, Record<string, unknown>>;
  /** Wall time of the run. */
  ms: number;
}

const controlHeaders = { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` };

async function redisRequests(tag: string): Promise<number> {
  const res = await fetch(`${cronRedisUrl}/__control/stats?tag=${tag}`, { headers: controlHeaders });
  return ((await res.json()) as { requests: number }).requests;
}

/** Records every fetch to the stand-ins while `work` runs (the Upstash SDK and the Neon driver both use fetch). */
async function recordingExchanges(work: () => Promise<void>): Promise<Exchange[]> {
  const exchanges: Exchange[] = [];
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const response = await realFetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    const to = url.startsWith(cronRedisUrl) ? 'redis' : url.startsWith(testEnv.NEON_HTTP_ENDPOINT!) ? 'neon' : null;
    if (to && !url.includes('/__control/')) {
      const sent = typeof init?.body === 'string' ? new TextEncoder().encode(init.body).length : 0;
      exchanges.push({ to, sent, received: (await response.clone().arrayBuffer()).byteLength });
    }
    return response;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return exchanges;
}

/**
 * Runs the job as scheduled at 00:05 UTC on `today`, on this file's databases, under a tag of its own;
 * `settings` override bindings (DAILY_JOB_SUBREQUESTS, say), `distanceMs` delays each request to either
 * stand-in (the distance to the region). Rejects when the job does (a failed step).
 */
export async function runDailyJob(today: string, settings: Partial<Env> = {}, distanceMs = 0): Promise<JobRunResult> {
  const scope = tagged();
  if (distanceMs > 0) {
    await scope.configure('neon', { delay_ms: distanceMs });
    const body = JSON.stringify({ tag: scope.tag, delay_ms: distanceMs });
    await fetch(`${cronRedisUrl}/__control/config`, { method: 'POST', headers: controlHeaders, body });
  }
  const database = new URL(testEnv.CRON_DATABASE_URL);
  database.searchParams.set('application_name', scope.tag);
  const env: Env = { ...scope.env, UPSTASH_REDIS_REST_URL: cronRedisUrl, DATABASE_URL: database.toString(), REDIS_TIMEOUT_MS: '3000', ...settings };
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
  const [redisBefore, neonBefore] = [await redisRequests(scope.tag), await scope.requestsServed('neon')];
  const started = Date.now();
  try {
    const exchanges = await recordingExchanges(async () => {
      const controller = createScheduledController({ scheduledTime: Date.parse(`${today}T00:05:00Z`), cron: '5 0 * * *' });
      const ctx = createExecutionContext();
      await worker.scheduled(controller, env, ctx);
      await waitOnExecutionContext(ctx);
    });
    const ms = Date.now() - started;
    const steps = new Map<string, Record<string, unknown>>();
    for (const line of lines.filter((l) => l.startsWith('{"job":"daily"'))) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      steps.set(String(parsed.step), parsed);
    }
    const redis = (await redisRequests(scope.tag)) - redisBefore;
    const neon = (await scope.requestsServed('neon')) - neonBefore;
    return { redis, neon, exchanges, steps, ms };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
