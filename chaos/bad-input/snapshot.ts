// What a refused request must leave as it found it: every table of the app (row count and a digest of its
// rows) and every Redis key the app keeps, but for the ones that count answers — a refused request is still
// counted (README, "A refused request does no work"): its call and response code, its cache lookups, and its
// charge against a rate limit or the failed sign-in limit.
import { counters, keys } from '../../src/redis/keys.ts';
import { sleep } from '../fixtures.ts';
import type { World } from '../world.ts';

// webhook_deliveries is left out: the queue's consumer writes to it in the background, whatever the requests.
const TABLES = ['users', 'sessions', 'parking_lots', 'spots', 'reservations', 'idempotency_keys', 'pending_invalidations', 'daily_metrics', 'webhooks', 'webhook_events', 'webhook_lot_states'];

const ANSWER_COUNTERS = new Set<string>([counters.totalApiCalls, counters.usersGet, counters.parkingLotsGet, counters.cacheHits, counters.cacheMisses, counters.rateLimitViolations]);
const ANSWER_PREFIXES = [counters.endpoint(''), counters.responseCode(0).replace(/0$/, ''), keys.rateLimitPrefix];

const countsAnswers = (key: string) => ANSWER_COUNTERS.has(key) || ANSWER_PREFIXES.some((prefix) => key.startsWith(prefix));

export interface Snapshot {
  takenAt: number;
  /** Each table and key: its state, and for a key with a TTL when it expires by itself. */
  entries: Map<string, { value: string; expiresAt: number | null }>;
}

export async function snapshot(world: World): Promise<Snapshot> {
  const takenAt = Date.now();
  const state = new Map<string, { value: string; expiresAt: number | null }>();
  const digests = await world.sql(
    TABLES.map((t) => `SELECT '${t}' AS name, count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS digest FROM ${t} x`).join(' UNION ALL '),
  );
  for (const row of digests) state.set(`table ${row.name}`, { value: `${row.n} rows, ${row.digest}`, expiresAt: null });

  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = (await world.redis(['SCAN', cursor, 'COUNT', '1000'])) as [Buffer, Buffer[]];
    cursor = next.toString();
    found.push(...page.map((k) => k.toString()).filter((k) => !countsAnswers(k)));
  } while (cursor !== '0');
  const replies = await world.redisMany(found.flatMap((k) => [['DUMP', k], ['PTTL', k]]));
  found.forEach((key, i) => {
    const [value, pttl] = [replies[2 * i], Number(replies[2 * i + 1])];
    if (value === null) return; // gone between SCAN and DUMP
    state.set(`redis ${key}`, { value: (value as Buffer).toString('base64'), expiresAt: pttl >= 0 ? takenAt + pttl : null });
  });
  return { takenAt, entries: state };
}

const CACHED = [keys.user(0).replace(/0$/, ''), keys.usersAll, keys.lot(0).replace(/0$/, ''), keys.lotsAll, keys.userSession(0).replace(/0$/, ''), keys.dashboard];
const BOOKKEEPING = [keys.cacheVersion(''), keys.cacheSource('')];

/**
 * Whether a change is cache traffic only: a cached value cleared or filled (the gate caches the session it
 * proved in Postgres), or the versioned cache's bookkeeping (versions, the states written through) moved. What the cache claims is
 * checked against the database by the invariants; this changes no data.
 */
export function onlyCacheTraffic(change: string): boolean {
  const key = change.replace(/^redis /, '').split(': ')[0]!;
  if (!change.startsWith('redis ')) return false;
  return BOOKKEEPING.some((prefix) => key.startsWith(prefix)) || CACHED.some((prefix) => key.startsWith(prefix));
}

/** What differs between two snapshots, named; a key that expired by itself meanwhile is no change. */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...before.entries.keys(), ...after.entries.keys()]);
  const changed = [...names].filter((name) => {
    const [was, is] = [before.entries.get(name), after.entries.get(name)];
    if (was && !is && was.expiresAt !== null && was.expiresAt <= after.takenAt + 50) return false;
    return was?.value !== is?.value;
  });
  const show = (entry: { value: string } | undefined) => (entry ? entry.value.slice(0, 60) : '(none)');
  return changed.map((name) => `${name}: ${show(before.entries.get(name))} → ${show(after.entries.get(name))}`);
}

/**
 * Waits until the Worker's work after its last response (counters, cache fills, hold releases: one Redis
 * pipeline after the answer) has reached Redis: the Upstash stand-in's request count stays still for a while.
 */
export async function settle(world: World, quietMs = 40, maxMs = 2000): Promise<void> {
  const count = async () => {
    const res = await fetch(`${world.stack.redisRest.url}/__control/stats`, { headers: { authorization: `Bearer ${world.stack.redisToken}` } });
    return ((await res.json()) as { requests: number }).requests;
  };
  const deadline = Date.now() + maxMs;
  let last = await count();
  while (Date.now() < deadline) {
    await sleep(quietMs);
    const now = await count();
    if (now === last) return;
    last = now;
  }
}
