// Before an isolate trusts anything it reads from Redis — when it starts, and each time Redis comes back
// after an outage — it clears the cache entries that writes could not clear meanwhile (kept in Postgres,
// table pending_invalidations). A session ended while Redis was down is thereby never honoured from a stale
// cache, whichever isolate ended it.
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';

// Redis URL -> the circuit breaker generation up to which pending invalidations were applied.
const reconciled = new Map<string, number>();

/**
 * Whether this request may use what it reads from Redis. When the pending invalidations still have to be
 * applied, it applies them, but answers false all the same: the request's own reads went out together with
 * the reconciliation and may predate it. The next request trusts the cache.
 */
export async function ensureCacheTrusted(deps: Deps): Promise<{ trusted: boolean; generation: number }> {
  const url = deps.config.redisUrl;
  const generation = deps.gateway.recoveries;
  if (!url || !deps.gateway.configured) return { trusted: false, generation };
  if (reconciled.get(url) === generation) return { trusted: true, generation };
  try {
    const rows = (await deps.db.execute(sql`SELECT id, key FROM pending_invalidations ORDER BY id LIMIT 1000`)).rows as {
      id: string | number;
      key: string;
    }[];
    if (rows.length > 0) {
      if (!(await deps.redis.cacheDelete(...new Set(rows.map((row) => row.key))))) return { trusted: false, generation };
      const last = Math.max(...rows.map((row) => Number(row.id)));
      await deps.db.execute(sql`DELETE FROM pending_invalidations WHERE id <= ${last}`);
      if (rows.length === 1000) return { trusted: false, generation }; // more left: the next request goes on
    }
    reconciled.set(url, generation);
  } catch {
    // Postgres unreachable: try again with the next request.
  }
  return { trusted: false, generation };
}
