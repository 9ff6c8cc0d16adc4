// A lot's occupancy history (GET /parking-lots/:id/occupancy) and its forecast of free spots (the `forecast`
// of GET /parking-lots/:id). The forecast has a cache entry of its own (`lot_forecast:{id}`), not a part of the
// lot's: the lot's entry is written through by every booking and step, and a forecast in it would either cost
// every write the forecast's query or ride along stale while the hours pass. The forecast only changes when the
// hour does (it reads complete past hours), so its entry lives until the hour ends (at most ttl.lotForecast),
// and it holds shares of capacity, not spots: the spots come from the lot's own exact entry at each read.
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { keys, ttl } from '../../redis/keys.ts';
import { FORECAST_HOURS, type Forecast, type LotWithForecast, type Occupancy } from '../../schemas/occupancy.ts';
import type { Lot } from '../../schemas/lots.ts';
import { getLot } from './lots-service.ts';
import { forecastStatement, occupancyStatement, type ForecastRow, type OccupancyRow } from './occupancy-sql.ts';

const HOUR_MS = 3_600_000;

export async function getOccupancy(deps: Deps, lotId: number, range: { from: number; to: number }): Promise<Occupancy> {
  const from = new Date(range.from);
  const to = new Date(range.to);
  const { rows } = await deps.db.execute<OccupancyRow>(occupancyStatement(lotId, from, to));
  if (rows.some((row) => !row.lot_found)) throw new AppError('not_found', `There is no parking lot ${lotId}.`);
  return {
    lot_id: lotId,
    from: from.toISOString(),
    to: to.toISOString(),
    hours: rows.map((row) => ({
      hour: row.hour!,
      capacity: row.capacity!,
      min_occupied: row.min_occupied!,
      max_occupied: row.max_occupied!,
      avg_occupied: Number(row.avg_occupied),
    })),
  };
}

/** What `lot_forecast:{id}` holds: for the hour it was made in, the shares of capacity likely occupied. */
export interface CachedForecast {
  made_for: string;
  hours: ForecastRow[];
}

/** The start of the UTC hour of `ms`. */
const hourOf = (ms: number) => new Date(ms - (ms % HOUR_MS));

async function loadForecast(deps: Deps, lotId: number, hour: Date): Promise<CachedForecast> {
  const { rows } = await deps.db.execute<ForecastRow>(forecastStatement(lotId, hour));
  return { made_for: hour.toISOString(), hours: rows.map((row) => ({ ...row, share: row.share === null ? null : Number(row.share) })) };
}

/**
 * The shares for the hour under way: from the entry the gate prefetched when it was made in this hour, else
 * from PostgreSQL (one query), stored after the response until the hour ends. Not through cached(): an entry
 * of the hour before is a miss here, and the fill needs a TTL that ends with the hour.
 */
async function currentForecast(deps: Deps, lotId: number, now: number): Promise<CachedForecast> {
  const hour = hourOf(now);
  const found = await deps.redis.entry<CachedForecast>(keys.lotForecast(lotId));
  if (found.value !== null && found.value.made_for === hour.toISOString()) return found.value;
  const forecast = await loadForecast(deps, lotId, hour);
  if (found.version !== null) {
    const ttlSeconds = Math.max(1, Math.min(ttl.lotForecast, Math.floor((hour.getTime() + HOUR_MS - now) / 1000)));
    deps.request.defer(() => deps.redis.cacheSet(keys.lotForecast(lotId), forecast, ttlSeconds));
  }
  return forecast;
}

/** Free spots from a share of the capacity, rounded to a whole spot, within 0..capacity. */
export const freeSpots = (capacity: number, share: number) => Math.min(capacity, Math.max(0, Math.round(capacity * (1 - share))));

/** The lot's forecast in spots, at its capacity now; null when no hour has history. */
export async function lotForecast(deps: Deps, lot: Lot, now = Date.now()): Promise<Forecast> {
  const { hours } = await currentForecast(deps, lot.id, now);
  if (hours.length !== FORECAST_HOURS.length || hours.every((h) => h.weeks === 0)) return null;
  return {
    hours: hours.map((h) => ({
      in_hours: h.in_hours,
      hour: h.hour,
      available_spots: h.share === null ? null : freeSpots(lot.capacity, h.share),
      weeks: h.weeks,
    })),
  };
}

/** GET /parking-lots/:id: the lot (its exact cached entry) and its forecast (an entry of its own), both prefetched by the gate. */
export async function getLotWithForecast(deps: Deps, id: number): Promise<LotWithForecast> {
  const lot = await getLot(deps, id);
  return { ...lot, forecast: await lotForecast(deps, lot) };
}
