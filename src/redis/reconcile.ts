// Before an isolate trusts anything it reads from Redis — when it starts, and each time Redis comes back
// after an outage — it clears the cache entries that writes could not clear meanwhile (kept in Postgres,
// table pending_invalidations). A session ended while Redis was down is thereby never honoured from a stale
// cache, whichever isolate ended it. The daily job applies them too.
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';

const BATCH = 1000;

/**
 * Remembers cache keys a committed write could not clear (Redis unreachable): one row per key. A key already
 * pending gets a new id, so a reconciliation that read the row before this write deletes the old id only and
 * the key stays pending for the next one.
 */
export async function rememberStale(deps: Deps, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  const rows = sql.join([...new Set(keys)].map((key) => sql`(${key})`), sql`, `);
  await deps.db.execute(sql`
    INSERT INTO pending_invalidations (key) VALUES ${rows}
    ON CONFLICT (key) DO UPDATE SET id = nextval(pg_get_serial_sequence('pending_invalidations', 'id')), created_at = now()`);
}

// Redis URL -> the circuit breaker generation up to which pending invalidations were applied.
const reconciled = new Map<string, number>();

/**
 * Clears up to BATCH pending cache keys in Redis, then forgets them in Postgres. Resolves with how many it
 * applied and whether any are left; false for `done` also when Redis refused the deletion.
 */
export async function applyPendingInvalidations(deps: Deps): Promise<{ applied: number; done: boolean }> {
  const { rows } = await deps.db.execute<{ id: string | number; key: string }>(
    sql`SELECT id, key FROM pending_invalidations ORDER BY id LIMIT ${BATCH}`,
  );
  if (rows.length === 0) return { applied: 0, done: true };
  if (!(await deps.redis.cacheDelete(...new Set(rows.map((row) => row.key))))) return { applied: 0, done: false };
  // By id, not `id <= max`: a row committed late with a smaller id than one already read is not lost.
  await deps.db.execute(sql`DELETE FROM pending_invalidations WHERE id IN (${sql.join(rows.map((row) => sql`${row.id}`), sql`, `)})`);
  return { applied: rows.length, done: rows.length < BATCH };
}

/**
 * Whether this request may use what it reads from Redis. When the pending invalidations still have to be
 * applied, it applies them, but answers false all the same: the request's own reads went out together with
 * the reconciliation and may predate it. The next request trusts the cache.
 */
export async function ensureCacheTrusted(deps: Deps): Promise<{ trusted: boolean; generation: number }> {
  const url = deps.config.redisUrl;
  const generation = deps.redis.gateway.recoveries;
  // With the circuit open nothing read from Redis is used anyway: no reason to ask Postgres meanwhile.
  if (!url || !deps.redis.gateway.usable) return { trusted: false, generation };
  if (reconciled.get(url) === generation) return { trusted: true, generation };
  try {
    if ((await applyPendingInvalidations(deps)).done) reconciled.set(url, generation);
  } catch {
    // Postgres unreachable: the next request tries again.
  }
  return { trusted: false, generation };
}
