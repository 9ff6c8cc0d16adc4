// GET /parking-lots?near=&radius_km=&sort=: the lots within a circle, nearest first or most free spots first,
// a keyset page at a time, each with its distance.
//
// With Redis up, one script finds the lots in the circle in `parking_lots:geo` and reads their live entries,
// in the gate's round trip (it only reads: startSearch); a lot whose entry is missing (cleared by a write, or never
// filled) is read from PostgreSQL, by id, and its entry filled after the response, a compare-and-set against
// the version read in the script, so a slow fill never writes what a newer write cleared. When Redis cannot
// answer (down, not trusted yet, positions missing or being rebuilt, a circle beyond Redis GEO's latitudes)
// PostgreSQL answers alone (geo-sql.ts), the same lots in the same order.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { GeoHit, GeoSearchArgs, GeoSearchOutcome } from '../../redis/geo-store.ts';
import { liveBucketOf } from '../../redis/keys.ts';
import type { Lot, NearbyLot } from '../../schemas/lots.ts';
import type { Page, PageRequest } from '../../schemas/pagination.ts';
import { toPage, type SortKey } from '../pagination.ts';
import { repairPositions } from './geo-positions.ts';
import { compareKeys, keyOfRow, prepareSearch, sortKey, type GeoSearch, type NearQuery } from './geo-query.ts';
import { searchInPostgres } from './geo-sql.ts';
import { selectLots } from './lot-view.ts';

export type { NearQuery } from './geo-query.ts';

/** Starts the search's Redis read, so that it rides in the gate's round trip; searchLots then uses it. */
export function startSearch(deps: Deps, query: NearQuery, page: PageRequest): void {
  const search = prepareSearch(query, page);
  if (search.redisCanAnswer) deps.request.startEarly(earlyName(search), readRedis(deps, search));
}

export async function searchLots(deps: Deps, query: NearQuery, page: PageRequest): Promise<Page<NearbyLot>> {
  const search = prepareSearch(query, page);
  const rows = (await searchInRedis(deps, search)) ?? (await searchInPostgres(deps, search));
  return toPage(search.list, rows, page, keyOfRow(search.sort));
}

/** The page as Redis answers it, or null when Redis cannot (then PostgreSQL does). */
export async function answerFromRedis(deps: Deps, query: NearQuery, page: PageRequest): Promise<Page<NearbyLot> | null> {
  const search = prepareSearch(query, page);
  const rows = await searchInRedis(deps, search);
  return rows && toPage(search.list, rows, page, keyOfRow(search.sort));
}

function searchArgs(search: GeoSearch): GeoSearchArgs {
  const { centre, radiusM, sort, want, after } = search;
  return { lng: centre.lng, lat: centre.lat, radiusM, sort, want, after };
}

const earlyName = (search: GeoSearch) => `geo-search ${JSON.stringify(searchArgs(search))}`;
const readRedis = (deps: Deps, search: GeoSearch) => deps.redis.geo.search(searchArgs(search));

async function searchInRedis(deps: Deps, search: GeoSearch): Promise<NearbyLot[] | null> {
  if (!search.redisCanAnswer) return null;
  const outcome = await (deps.request.takeEarly<GeoSearchOutcome | null>(earlyName(search)) ?? readRedis(deps, search));
  // Trust is decided in the same round trip as the read: an answer read before it counts only once it is given.
  if (!outcome || !deps.redis.readsTrusted) return null;
  if (outcome.kind === 'missing') {
    deps.request.defer(() => repairPositions(deps));
    return null;
  }
  const { sort, want, after } = search;
  const missing = outcome.hits.filter((hit) => 'version' in hit);
  const loaded = await loadLots(deps, missing.map((hit) => hit.id));
  // A lot deleted since the script ran: the positions are being changed, PostgreSQL answers alone.
  if (loaded.size < missing.length) return null;
  fillLater(deps, missing, loaded);
  const rows = outcome.hits.map((hit) => {
    const lot = 'entry' in hit ? (JSON.parse(hit.entry) as Lot) : loaded.get(hit.id)!;
    return { lot: { ...lot, distance_m: hit.distanceE4 / 10_000 }, key: sortKey(sort, lot, hit.distanceE4) };
  });
  return rows
    .filter((row) => !after || compareKeys(row.key, after as SortKey) > 0)
    .sort((a, b) => compareKeys(a.key, b.key))
    .slice(0, want)
    .map((row) => row.lot);
}

async function loadLots(deps: Deps, ids: number[]): Promise<Map<number, Lot>> {
  if (ids.length === 0) return new Map();
  const { rows } = await deps.db.execute<Lot>(selectLots(sql`l.id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`));
  return new Map(rows.map((lot) => [lot.id, lot]));
}

/** After the response: the entries of the lots read from PostgreSQL, one compare-and-set per key of entries. */
function fillLater(deps: Deps, missing: GeoHit[], loaded: Map<number, Lot>): void {
  const byBucket = new Map<number, { version: string; lots: Lot[] }>();
  for (const hit of missing) {
    if (!('version' in hit)) continue;
    const bucket = liveBucketOf(hit.id);
    const group = byBucket.get(bucket) ?? { version: hit.version, lots: [] };
    group.lots.push(loaded.get(hit.id)!);
    byBucket.set(bucket, group);
  }
  for (const [bucket, { version, lots }] of byBucket) deps.request.defer(() => deps.redis.geo.fillLive(bucket, version, lots));
}
