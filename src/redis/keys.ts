// Every Redis key name and TTL of the contract (../shared/SPEC.md, "Redis: keys and TTLs"), in one place.
export const keys = {
  user: (id: number) => `user:${id}`,
  usersAll: 'users:all',
  lot: (id: number) => `parking_lot:${id}`,
  lotsAll: 'parking_lots:all',
  /** A lot's forecast of free spots for the hour under way (services/lots/occupancy.ts); beside the lot's entry, not in it. */
  lotForecast: (id: number) => `lot_forecast:${id}`,
  /** The lots' positions (GEO), for the search by distance; no TTL, kept in step with lot writes (services/lots/geo-positions.ts). */
  lotsGeo: 'parking_lots:geo',
  /** Position writers in flight: token → `{deadline ms} {lot id, 0 for a lot being created}` (geo-positions.ts). */
  lotsGeoWriters: 'parking_lots:geo:writers',
  /** Held by the one request that rebuilds a missing `parking_lots:geo`. */
  lotsGeoRebuildLock: 'parking_lots:geo:rebuild',
  /** Where one rebuild gathers the positions before they replace `parking_lots:geo` at once. */
  lotsGeoScratch: (token: string) => `parking_lots:geo:rebuild:${token}`,
  /**
   * The live entries the search answers with, for the lots whose id is `bucket` modulo LIVE_BUCKETS: a hash of
   * `a:{id}` (available spots) and `l:{id}` (the lot as GET /parking-lots/:id shows it, its forecast apart). A whole key of the
   * versioned cache, cleared by every write of one of its lots (lotKeys()).
   */
  lotsLive: (bucket: number) => `parking_lots:live:${bucket}`,
  userSession: (userId: number) => `user_session:${userId}`,
  activeUsers: 'active_users',
  /** The prefix @upstash/ratelimit puts before `{identifier}:{window}`. */
  rateLimitPrefix: 'rate_limit',
  /** Bookkeeping of the versioned cache (see cache.ts): bumped by every invalidation. */
  cacheVersion: (key: string) => `cache_version:${key}`,
  /** Bookkeeping of the versioned cache: the state a written-through value is of (see scripts.ts, refreshScript). */
  cacheSource: (key: string) => `cache_source:${key}`,
  /** What the daily job already moved to Postgres for a `daily_*` key it released (see jobs/compact-daily-metrics.ts). */
  compactedMarker: (dailyKey: string) => `compacted:${dailyKey}`,
  /** The dashboard's assembled data, cached for a few seconds. */
  dashboard: 'dashboard:snapshot',
} as const;

export const counters = {
  totalApiCalls: 'total_api_calls',
  usersGet: 'api_calls:users:get',
  parkingLotsGet: 'api_calls:parking_lots:get',
  endpoint: (pattern: string) => `endpoint_calls:${pattern}`,
  responseCode: (status: number) => `response_codes:${status}`,
  totalLogins: 'total_logins',
  totalLogouts: 'total_logouts',
  totalRegistrations: 'total_registrations',
  dailyLogins: (day: string) => `daily_logins:${day}`,
  dailyRegistrations: (day: string) => `daily_registrations:${day}`,
  usersCreated: 'users_created',
  usersDeleted: 'users_deleted',
  parkingLotsCreated: 'parking_lots_created',
  parkingLotsDeleted: 'parking_lots_deleted',
  totalReservations: 'total_reservations',
  reservationsCancelled: 'reservations_cancelled',
  dailyReservations: (day: string) => `daily_reservations:${day}`,
  cacheHits: 'cache_hits',
  cacheMisses: 'cache_misses',
  rateLimitViolations: 'rate_limit_violations',
} as const;

/** The counters of one key each: their key names are the names the reports and the dashboard answer with. */
export type ScalarCounter = Extract<(typeof counters)[keyof typeof counters], string>;
export const scalarCounters = Object.values(counters).filter((counter): counter is ScalarCounter => typeof counter === 'string');

/** The daily series, each a counter per UTC day. */
export const dailyCounters = {
  logins: counters.dailyLogins,
  registrations: counters.dailyRegistrations,
  reservations: counters.dailyReservations,
} as const;
export type DailyMetric = keyof typeof dailyCounters;
export const dailyMetrics = Object.keys(dailyCounters) as DailyMetric[];

/** The daily counters the cron job moves into Postgres: `daily_{metric}:{YYYY-MM-DD}`. */
export const dailyKeyPattern = /^daily_([a-z_]+):(\d{4}-\d{2}-\d{2})$/;

export const ttl = {
  user: 10 * 60,
  usersAll: 5 * 60,
  lot: 15 * 60,
  /** At most; a forecast's entry also ends with the hour it was made for. */
  lotForecast: 15 * 60,
  lotsLive: 15 * 60,
  /** A position write is applied within its request; a writer still registered after this died midway. */
  geoWriterMs: 15_000,
  /** Longer than a rebuild of every lot's position takes. */
  geoRebuildLockMs: 60_000,
  lotsAll: 10 * 60,
  userSession: 12 * 60 * 60,
  activeUsers: 12 * 60 * 60,
  cacheVersion: 24 * 60 * 60,
  dashboard: 5,
  /** A late increment comes at most seconds after midnight (waitUntil's limit); a week is ample. */
  compactedMarker: 7 * 24 * 60 * 60,
} as const;

/**
 * How many keys hold the live entries of the geo search. Every search script declares all of them (a script may
 * touch only the keys it declares, and which lots a search finds is known only inside it), and a write of a lot
 * clears its key's entries: more keys, fewer entries cleared per booking, longer scripts.
 */
export const LIVE_BUCKETS = 32;

export const liveBucketOf = (lotId: number) => lotId % LIVE_BUCKETS;

/** No cached value is larger: a list caches one page, and Upstash transfers and bills every byte. */
export const MAX_CACHED_BYTES = 1024 * 1024;

/** A UTC calendar day, the suffix of the daily counters. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
