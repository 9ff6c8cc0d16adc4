// The occupancy endpoint and the forecast on seeded history: rows written straight into lot_occupancy_hours for
// past hours (as the trigger would have left them), and the answers compared with what this file works out
// from those rows by itself: an hour with a row is that row, an hour without one holds the state of the latest
// row before it; a forecast is the capacity less the mean share occupied in the same hour of past weeks.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { makeAdmin, makeLot, redisClient, sql } from '../helpers/fixtures.ts';
import { seededRandom } from '../helpers/random.ts';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;

interface Seed {
  hour: number;
  min: number;
  max: number;
  seconds: number;
  last: number;
  capacity: number;
  /** ms after the hour's start. */
  lastChange: number;
}


function randomRow(next: () => number, hour: number): Seed {
  const capacity = 5 + Math.floor(next() * 20);
  const min = Math.floor(next() * capacity);
  const max = min + Math.floor(next() * (capacity - min + 1));
  const last = min + Math.floor(next() * (max - min + 1));
  const lastChange = Math.floor(next() * 3599) * 1000;
  const seconds = Math.round((min + next() * (max - min)) * (lastChange / 1000));
  return { hour, min, max, seconds, last, capacity, lastChange };
}

async function seed(lotId: number, rows: Seed[]): Promise<void> {
  for (const r of rows) {
    await sql`INSERT INTO lot_occupancy_hours (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
              VALUES (${lotId}, ${new Date(r.hour).toISOString()}, ${r.min}, ${r.max}, ${r.seconds}, ${r.last}, ${r.capacity}, ${new Date(r.hour + r.lastChange).toISOString()})`;
  }
}

/** The latest row at or before `hour`. */
const rowFor = (rows: Seed[], hour: number) => rows.filter((r) => r.hour <= hour).sort((a, b) => b.hour - a.hour)[0];

/** What a complete hour looked like, worked out from the rows. */
function expectedHour(rows: Seed[], hour: number) {
  const r = rowFor(rows, hour);
  if (!r) return undefined;
  if (r.hour !== hour) return { capacity: r.capacity, min: r.last, max: r.last, avg: r.last };
  return { capacity: r.capacity, min: r.min, max: r.max, avg: (r.seconds + r.last * (3600 - r.lastChange / 1000)) / 3600 };
}

function expectedForecast(rows: Seed[], currentHour: number, capacity: number) {
  const hours = [1, 2, 3].map((k) => {
    const shares: number[] = [];
    for (let w = 1; w <= 8; w++) {
      const past = expectedHour(rows, currentHour + k * HOUR - w * WEEK);
      if (past) shares.push(past.avg / past.capacity);
    }
    const share = shares.reduce((a, b) => a + b, 0) / shares.length;
    const free = shares.length === 0 ? null : Math.min(capacity, Math.max(0, Math.round(capacity * (1 - share))));
    return { in_hours: k, hour: new Date(currentHour + k * HOUR).toISOString(), available_spots: free, weeks: shares.length };
  });
  return hours.every((h) => h.weeks === 0) ? null : { hours };
}

/** Too close to the end of an hour, the forecast asked for and the one worked out could be for different hours. */
async function awayFromHourEnd(): Promise<number> {
  const left = HOUR - (Date.now() % HOUR);
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 500));
  return Date.now() - (Date.now() % HOUR);
}

describe('GET /parking-lots/:id/occupancy', () => {
  it('answers every hour of the range from its row or the latest row before it, up to the hour under way', async () => {
    const H = await awayFromHourEnd();
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 10 });
    const next = seededRandom(41);
    const history = [H - 30 * HOUR, H - 29 * HOUR, H - 20 * HOUR, H - 5 * HOUR, H - HOUR].map((hour) => randomRow(next, hour));
    await seed(lot.id, history);

    const from = new Date(H - 36 * HOUR + 17 * 60_000).toISOString(); // inside an hour: that hour is the first
    const to = new Date(H + 5 * HOUR).toISOString(); // the future is not answered
    const res = await call('GET', `/parking-lots/${lot.id}/occupancy?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lot_id: lot.id, from, to });
    const hours = res.body.hours as { hour: string; capacity: number; min_occupied: number; max_occupied: number; avg_occupied: number }[];
    // Nothing before the lot's first row (30 hours ago), then every hour up to the one under way.
    expect(hours.map((h) => Date.parse(h.hour))).toEqual(Array.from({ length: 31 }, (_, i) => H - 30 * HOUR + i * HOUR));
    for (const shown of hours.slice(0, -1)) {
      const expected = expectedHour(history, Date.parse(shown.hour))!;
      expect({ hour: shown.hour, capacity: shown.capacity, min: shown.min_occupied, max: shown.max_occupied }).toEqual({
        hour: shown.hour, capacity: expected.capacity, min: expected.min, max: expected.max,
      });
      expect(Math.abs(shown.avg_occupied - expected.avg), shown.hour).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    // The hour under way is the lot's own, as its creation wrote it: 10 free spots all along.
    expect(hours.at(-1)).toEqual({ hour: new Date(H).toISOString(), capacity: 10, min_occupied: 0, max_occupied: 0, avg_occupied: 0 });

    const byDefault = await call('GET', `/parking-lots/${lot.id}/occupancy`);
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.hours.map((h: { hour: string }) => Date.parse(h.hour))).toEqual(Array.from({ length: 25 }, (_, i) => H - 24 * HOUR + i * HOUR));
  });

  it('refuses a reversed, empty, too long or malformed range (422 naming the field) and an unknown lot (404)', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const refused: [string, string][] = [
      [`from=${iso(now)}&to=${iso(now - HOUR)}`, 'to'],
      [`from=${iso(now)}&to=${iso(now)}`, 'to'],
      [`from=${iso(now - 32 * 24 * HOUR)}&to=${iso(now)}`, 'to'],
      [`from=${iso(now - 32 * 24 * HOUR)}`, 'from'],
      [`from=${iso(now + HOUR)}`, 'from'],
      ['from=yesterday', 'from'],
      ['to=2026-12-01T10:00:00', 'to'], // no zone
    ];
    for (const [query, field] of refused) {
      const res = await call('GET', `/parking-lots/${lot.id}/occupancy?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(JSON.stringify(res.body.error.details), query).toContain(field);
    }
    expect((await call('GET', `/parking-lots/${lot.id}/occupancy?from=${iso(now - 31 * 24 * HOUR)}&to=${iso(now)}`)).status).toBe(200);
    const unknown = await call('GET', '/parking-lots/2147483000/occupancy');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await call('GET', '/parking-lots/abc/occupancy')).status).toBe(422);
  });

  it('does not answer hours older than the 8 weeks kept', async () => {
    const H = await awayFromHourEnd();
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    await seed(lot.id, [randomRow(seededRandom(5), H - 70 * 24 * HOUR)]);
    const res = await call('GET', `/parking-lots/${lot.id}/occupancy?from=${new Date(H - 60 * 24 * HOUR).toISOString()}&to=${new Date(H - 50 * 24 * HOUR).toISOString()}`);
    expect(res.status).toBe(200);
    expect(res.body.hours[0].hour).toBe(new Date(H - 56 * 24 * HOUR).toISOString());
    expect(res.body.hours).toHaveLength(6 * 24);
  });
});

describe('the forecast of GET /parking-lots/:id', () => {
  it('is null for a lot with no history', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const res = await call('GET', `/parking-lots/${lot.id}`);
    expect(res.status).toBe(200);
    expect(res.body.forecast).toBeNull();
    expect(res.body).toMatchObject({ id: lot.id, available_spots: lot.available_spots });
  });

  for (const seedNumber of [1, 2, 3]) {
    it(`equals the mean of the same hour over past weeks, on random history (seed ${seedNumber})`, async () => {
      const H = await awayFromHourEnd();
      const admin = await makeAdmin();
      const lot = await makeLot(admin, { capacity: 12 });
      const next = seededRandom(seedNumber * 7919);
      // 80 random hours over the last 8 weeks and a bit, some of them right on the hours a forecast reads.
      const hours = new Set<number>();
      while (hours.size < 80) {
        const onSample = next() < 0.3;
        const hour = onSample
          ? H + (1 + Math.floor(next() * 3)) * HOUR - (1 + Math.floor(next() * 8)) * WEEK
          : H - (1 + Math.floor(next() * (58 * 24))) * HOUR;
        hours.add(hour);
      }
      const history = [...hours].map((hour) => randomRow(next, hour));
      await seed(lot.id, history);
      const expected = expectedForecast(history, H, 12);
      expect(expected?.hours.some((h) => h.weeks > 0)).toBe(true);
      const res = await call('GET', `/parking-lots/${lot.id}`);
      expect(res.status).toBe(200);
      expect(res.body.forecast).toEqual(expected);
    });
  }

  it('rests on the weeks the lot has history for, is cached until the hour ends, and follows the capacity at once', async () => {
    const H = await awayFromHourEnd();
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 10 });
    // Two weeks of history, each hour read by the forecast a row of its own: 3 of 10 spots, then 5 of 10.
    const flat = (hour: number, occupied: number): Seed => ({ hour, min: occupied, max: occupied, seconds: occupied * 1800, last: occupied, capacity: 10, lastChange: 1_800_000 });
    const history = [1, 2, 3].flatMap((k) => [flat(H + k * HOUR - WEEK, 3), flat(H + k * HOUR - 2 * WEEK, 5)]);
    await seed(lot.id, history);
    const first = (await call('GET', `/parking-lots/${lot.id}`)).body.forecast;
    expect(first.hours).toEqual([1, 2, 3].map((k) => ({ in_hours: k, hour: new Date(H + k * HOUR).toISOString(), available_spots: 6, weeks: 2 })));

    const ttl = await redisClient().ttl(`lot_forecast:${lot.id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(Math.min(15 * 60, Math.ceil((H + HOUR - Date.now()) / 1000)));
    // A third week appears in the database: the forecast of this hour is the cached one.
    await seed(lot.id, [1, 2, 3].map((k) => flat(H + k * HOUR - 3 * WEEK, 10)));
    expect((await call('GET', `/parking-lots/${lot.id}`)).body.forecast).toEqual(first);
    // Twice the spots: the same shares, twice the free spots, at once.
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 20 } })).status).toBe(200);
    const grown = (await call('GET', `/parking-lots/${lot.id}`)).body;
    expect(grown.forecast.hours.map((h: { available_spots: number }) => h.available_spots)).toEqual([12, 12, 12]);
    // Once the entry is gone (as at the end of the hour) the third week counts: (3 + 5 + 10) / 3 = 6 of 10.
    await redisClient().del(`lot_forecast:${lot.id}`);
    const later = (await call('GET', `/parking-lots/${lot.id}`)).body.forecast;
    expect(later.hours.map((h: { available_spots: number; weeks: number }) => [h.available_spots, h.weeks])).toEqual([[8, 3], [8, 3], [8, 3]]);
  });
});
