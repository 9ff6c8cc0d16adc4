// Moves the daily counters of past days (`daily_{metric}:{YYYY-MM-DD}`) from Redis into daily_metrics, a given
// list of keys at a time: compact-listed-days.ts names them day by day from a watermark, and
// sweep-stray-daily-keys.ts finds the few it cannot name.
//
// Order matters: the totals are upserted first and the Redis keys released only after that statement has
// committed, each by a compare-and-delete script. A crash in between leaves the keys as they were, and the
// next run writes the same totals again (an absolute value, never `+=`), so nothing is lost or doubled.
//
// A late INCR for a day already compacted (the request began before midnight, its counters went out after)
// would recreate the key at 1, and writing that 1 would overwrite the day's total. So a release leaves a
// marker `compacted:{key}` holding the total moved so far, and the day's true total is always
// marker + counter: the script moves the counter into the marker atomically, and the next run upserts the
// sum. Postgres only ever takes a larger total, so a stale run (or a marker expired before a very late
// increment) can never lower a stored day.
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import { dailyKeyPattern, dayOf, keys as redisKeys, ttl } from '../redis/keys.ts';
import { runScript, script, type Script } from '../redis/scripts.ts';

/** One past day's counter as read: what Redis held and the day's total it stands for. */
export interface DailyCounter {
  key: string;
  metric: string;
  day: string;
  /** The counter's value as Redis holds it (compared again before the key is deleted). */
  counter: string;
  /** The marker's value as read, '' when there was none. */
  marker: string;
  /** marker + counter: the day's total so far. */
  total: string;
}

export interface Staged {
  counters: DailyCounter[];
  /** Keys that look like daily counters but cannot be moved (impossible date, not a count). */
  skipped: string[];
  /** Rows inserted or raised by the upsert. */
  written: number;
}

/** KEYS: (counter, marker) pairs. ARGV: marker ttl, then (counter, marker, total) triples as read. */
const releaseScript: Script = script(`
local released = 0
for i = 1, #KEYS / 2 do
  local key, marker = KEYS[2 * i - 1], KEYS[2 * i]
  if redis.call('GET', key) == ARGV[3 * i - 1] and (redis.call('GET', marker) or '') == ARGV[3 * i] then
    redis.call('DEL', key)
    redis.call('SET', marker, ARGV[3 * i + 1], 'EX', ARGV[1])
    released = released + 1
  end
end
return released`);

export function isCalendarDay(day: string): boolean {
  const time = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(time) && dayOf(new Date(time)) === day;
}

/** The counters and their markers, in one MGET. */
export async function readDailyCounters(deps: Deps, keys: string[]): Promise<{ counters: DailyCounter[]; skipped: string[] }> {
  if (keys.length === 0) return { counters: [], skipped: [] };
  const values = await deps.redis.gateway.call<(string | null)[]>((p) => p.mget(...keys, ...keys.map(redisKeys.compactedMarker)));
  const counters: DailyCounter[] = [];
  const skipped: string[] = [];
  keys.forEach((key, i) => {
    const counter = values[i];
    const marker = values[keys.length + i] ?? '';
    if (counter === null || counter === undefined) return; // released meanwhile, or not a string
    if (!/^\d{1,18}$/.test(counter) || !/^\d{0,18}$/.test(marker)) {
      skipped.push(key);
      return;
    }
    const [, metric, day] = dailyKeyPattern.exec(key)!;
    const total = (BigInt(marker || '0') + BigInt(counter)).toString();
    counters.push({ key, metric: metric!, day: day!, counter, marker, total });
  });
  return { counters, skipped };
}

/**
 * All totals in ONE statement. A day already stored with the same or a larger total is left alone, so a
 * second run changes nothing at all (not even updated_at).
 */
export async function upsertDailyMetrics(deps: Deps, counters: DailyCounter[]): Promise<number> {
  if (counters.length === 0) return 0;
  const days = counters.map((c) => c.day);
  const metrics = counters.map((c) => c.metric);
  const totals = counters.map((c) => c.total);
  const result = await deps.db.execute(sql`
    INSERT INTO daily_metrics (day, metric, value)
    SELECT day, metric, value
    FROM unnest(${sql.param(days)}::date[], ${sql.param(metrics)}::text[], ${sql.param(totals)}::bigint[]) AS moved(day, metric, value)
    ON CONFLICT (day, metric) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
    WHERE daily_metrics.value < EXCLUDED.value
    RETURNING 1`);
  return result.rows.length;
}

/** Deletes each key whose counter and marker are still what was read; returns how many were released. */
export async function releaseDailyCounters(deps: Deps, counters: DailyCounter[]): Promise<number> {
  if (counters.length === 0) return 0;
  const keys = counters.flatMap((c) => [c.key, redisKeys.compactedMarker(c.key)]);
  const args = [String(ttl.compactedMarker), ...counters.flatMap((c) => [c.counter, c.marker, c.total])];
  return Number(await runScript<number>(deps.redis.gateway, releaseScript, keys, args));
}

/** Read and upsert: everything up to the point where the keys could be deleted. Two subrequests at most. */
export async function stageDailyMetrics(deps: Deps, keys: string[]): Promise<Staged> {
  const read = await readDailyCounters(deps, keys);
  const written = await upsertDailyMetrics(deps, read.counters);
  return { counters: read.counters, skipped: read.skipped, written };
}

export interface Moved extends Staged {
  released: number;
}

/** Subrequests of one move at most: the MGET, the upsert, the release and its EVAL if Redis lacks the script. */
export const MOVE_COST = 4;

/**
 * Moves these keys (daily counters of past days, each named once) into daily_metrics: one MGET, then the upsert
 * and the release when there is anything to move.
 */
export async function moveDailyCounters(deps: Deps, keys: string[]): Promise<Moved> {
  const staged = await stageDailyMetrics(deps, keys);
  return { ...staged, released: await releaseDailyCounters(deps, staged.counters) };
}
