// Keeping the lots' positions in Redis (`parking_lots:geo`, no TTL) in step with PostgreSQL.
//
// A write that may move a lot (a creation with coordinates, a change of coordinates, a deletion) registers
// itself as a writer in flight, in the round trip that travels alongside its statement (like the cache's hold),
// and after its commit applies its change before it answers, so a search after the answer finds the lot where
// it now is. Two writes of one lot in flight at once may apply in another order than they committed; the
// later to apply sees the other still registered and drops the positions instead, and the next search rebuilds
// them. A writer that died between its commit and its change is found by its deadline, with the same outcome.
// A change that cannot reach Redis is remembered in Postgres (pending_invalidations), and clearing the key
// then drops the positions too. Every change bumps the positions' version, so a rebuild that read PostgreSQL
// before a change committed is thrown away.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { GeoChange, GeoPosition } from '../../redis/geo-store.ts';
import { keys, ttl } from '../../redis/keys.ts';
import { rememberStale } from '../../redis/reconcile.ts';
import { REDIS_GEO_MAX_LATITUDE, redisPosition } from './geo-point.ts';

interface Located {
  id: number;
  latitude: number | null;
  longitude: number | null;
}

/** The change that puts a lot where its row says: at its position, or out of the set (no coordinates, or beyond Redis's latitudes). */
export function placeLot(lot: Located, created = false): GeoChange {
  const position = lot.latitude === null || lot.longitude === null ? null : redisPosition({ lat: lot.latitude, lng: lot.longitude });
  return position ? { op: 'add', position: { id: lot.id, ...position }, created } : { op: 'remove', id: lot.id };
}

/** Applies the change, or has the positions dropped later; a failure here must not fail a write that committed. */
async function apply(deps: Deps, token: string, change: GeoChange): Promise<void> {
  if (await deps.redis.geo.applyWrite(token, change)) return;
  await rememberStale(deps, [keys.lotsGeo]).catch((error: unknown) => {
    console.error(JSON.stringify({ level: 'error', msg: 'a position change reached neither Redis nor PostgreSQL', error: String(error) }));
  });
}

/**
 * Runs a write of lot `lotId` (null: a lot being created) that may change its position, and applies `change`
 * of its outcome to the positions before answering, alongside `settle` (the write's cache entries: one round
 * trip for both). A refused write (a 4xx) committed nothing; any other failure may have committed, so the
 * positions are dropped.
 */
export async function whileMoving<T>(
  deps: Deps,
  lotId: number | null,
  write: () => Promise<T>,
  change: (result: T) => GeoChange,
  settle: (result: T) => Promise<void>,
): Promise<T> {
  const token = crypto.randomUUID();
  const registered = deps.redis.geo.registerWriter(token, lotId ?? 0, Date.now() + ttl.geoWriterMs);
  let result: T;
  try {
    result = await write();
  } catch (error) {
    await registered;
    if (error instanceof AppError && error.status < 500) {
      deps.request.defer(() => deps.redis.geo.applyWrite(token, { op: 'release' }));
    } else {
      await apply(deps, token, { op: 'forget' });
    }
    throw error;
  }
  await registered;
  await Promise.all([apply(deps, token, change(result)), settle(result)]);
  return result;
}

/** After a search found the positions missing (or a writer dead): drops them if need be and rebuilds them. */
export async function repairPositions(deps: Deps): Promise<void> {
  const rebuild = await deps.redis.geo.repair();
  if (rebuild) await rebuildPositions(deps, rebuild.token, rebuild.version);
}

const REBUILD_PAGE = 5000;

/**
 * Rebuilds the missing positions from PostgreSQL, a page of lots at a time (one query and one round trip each),
 * into a scratch set that replaces the positions at once at the end, unless a change was applied since
 * `version` was read.
 */
export async function rebuildPositions(deps: Deps, token: string, version: string): Promise<boolean> {
  let after = 0;
  try {
    for (;;) {
      const { rows } = await deps.db.execute<{ id: number; latitude: number; longitude: number }>(sql`
        SELECT id, latitude, longitude FROM parking_lots
        WHERE id > ${after} AND longitude IS NOT NULL
          AND latitude BETWEEN ${-REDIS_GEO_MAX_LATITUDE}::float8 AND ${REDIS_GEO_MAX_LATITUDE}::float8
        ORDER BY id LIMIT ${REBUILD_PAGE}`);
      const positions = rows.map((lot) => ({ id: lot.id, ...redisPosition({ lat: lot.latitude, lng: lot.longitude })! }) satisfies GeoPosition);
      if (!(await deps.redis.geo.addToRebuild(token, positions))) throw new Error('Redis refused a page of the rebuild');
      if (rows.length < REBUILD_PAGE) break;
      after = rows[rows.length - 1]!.id;
    }
  } catch (error) {
    await deps.redis.geo.finishRebuild(token, version, true);
    console.warn(JSON.stringify({ level: 'warn', msg: 'rebuild of parking_lots:geo abandoned', error: String(error) }));
    return false;
  }
  return deps.redis.geo.finishRebuild(token, version, false);
}
