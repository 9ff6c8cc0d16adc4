// npm run bench:report-costs — what the report aggregates cost the writes that keep them, and what a CSV page
// costs the Worker, inside workerd on the test stack:
// - the 40-way booking race of test/domain/concurrency.test.ts (one 5-spot lot), 40 bookings at once on 40
//   lots (every one of them adds to today's row of reservation_stats_by_day), 40 releases at once on 40 lots
//   and the same releases one after another (no one to wait for: the triggers' own cost), each with the
//   aggregate triggers on and off (ALTER TABLE … DISABLE TRIGGER), rounds alternating;
// - the CPU time of one page of each CSV export (parsing the page's JSON as the driver does, writing its CSV).
import { beforeAll, it } from 'vitest';
import { call, testEnv } from '../test/helpers/http.ts';
import { makeAdmin, makeUser, sql, type TestUser, uniquePlate } from '../test/helpers/fixtures.ts';
import { csvLine } from '../src/services/csv.ts';
import { lotColumns, LOT_CSV_PAGE } from '../src/services/reports/lot-table.ts';
import { HISTORY_CSV_PAGE, reservationColumns } from '../src/services/reports/user-report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const env = { ...testEnv, RATE_LIMIT_PER_HOUR: '1000000' };
let admin: TestUser;
let users: TestUser[];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const triggers = ['reservations_stats_insert', 'reservations_stats_update'];
const setTriggers = (on: boolean) => Promise.all(triggers.map((t) => sql.query(`ALTER TABLE reservations ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`)));

const book = (lotId: number, i: number) => call('POST', '/reservations', { env, token: users[i % users.length]!.token, body: { lot_id: lotId, vehicle_plate: uniquePlate() } });
const newLot = async (capacity: number) =>
  (await call('POST', '/parking-lots', { env, token: admin.token, body: { name: 'Bench', address: '1 Bench Road', pin_code: '560001', price_per_hour_cents: 600, capacity } })).body.id as number;

/** One round of each race; each returns the wall time of the 40 requests sent at once. */
const races: Record<string, () => Promise<number>> = {
  '40 bookings at once, one 5-spot lot': async () => {
    const lot = await newLot(5);
    const started = performance.now();
    await Promise.all(Array.from({ length: 40 }, (_, i) => book(lot, i)));
    return performance.now() - started;
  },
  '40 bookings at once, 40 lots': async () => {
    const lots = await Promise.all(Array.from({ length: 40 }, () => newLot(1)));
    const started = performance.now();
    await Promise.all(lots.map((lot, i) => book(lot, i)));
    return performance.now() - started;
  },
  '40 releases at once, 40 lots': () => releases(true),
  // The same work one request at a time: what the triggers cost without any other writer to wait for.
  '40 releases one after another, 40 lots': () => releases(false),
};

async function releases(atOnce: boolean): Promise<number> {
  const lots = await Promise.all(Array.from({ length: 40 }, () => newLot(1)));
  const booked = await Promise.all(lots.map(async (lot, i) => ({ user: users[i % users.length]!, id: (await book(lot, i)).body.id as number })));
  await Promise.all(booked.map((b) => call('POST', `/reservations/${b.id}/park`, { env, token: b.user.token })));
  const release = (b: (typeof booked)[number]) => call('POST', `/reservations/${b.id}/release`, { env, token: b.user.token, body: { payment_method: 'card' } });
  const started = performance.now();
  if (atOnce) await Promise.all(booked.map(release));
  else for (const b of booked) await release(b);
  return performance.now() - started;
}

beforeAll(async () => {
  admin = await makeAdmin();
  users = await Promise.all(Array.from({ length: 8 }, () => makeUser()));
  for (const race of Object.values(races)) await race(); // warm-up
}, 120_000);

it('prints the races with the aggregate triggers on and off', { timeout: 1_200_000 }, async () => {
  const lines = ['| race | median ms, triggers on | median ms, triggers off |', '|---|---|---|'];
  try {
    for (const [name, race] of Object.entries(races)) {
      const times = { on: [] as number[], off: [] as number[] };
      for (let round = 0; round < ROUNDS * 2; round++) {
        const on = round % 2 === 0;
        await setTriggers(on);
        times[on ? 'on' : 'off'].push(await race());
      }
      lines.push(`| ${name} | ${median(times.on).toFixed(1)} | ${median(times.off).toFixed(1)} |`);
    }
  } finally {
    await setTriggers(true);
  }
  console.log(`\nThe report aggregates' cost to the writes (${ROUNDS} rounds each, alternating)\n\n${lines.join('\n')}\n`);
});

it('prints the CPU time of one CSV page', async () => {
  const [{ reservation }] = (await sql`SELECT api_reservation(r) AS reservation FROM reservations r WHERE status = 'completed' LIMIT 1`) as [{ reservation: Record<string, unknown> }];
  const lot = { lot_id: 1234, name: 'A lot with a longish name', capacity: 40, available: 20, reserved: 10, occupied: 10, held: 0, completed_reservations: 1800, revenue_cents: 912345 };
  const cases = [
    { name: `history page (${HISTORY_CSV_PAGE} reservations)`, rows: HISTORY_CSV_PAGE, row: { reservation }, write: (r: any) => csvLine(reservationColumns.map((c) => c.value(r.reservation))) },
    { name: `lot page (${LOT_CSV_PAGE} lots)`, rows: LOT_CSV_PAGE, row: { lot, id: 1234 }, write: (r: any) => csvLine(lotColumns.map((c) => c.value(r.lot))) },
  ];
  const lines = ['| CSV page | JSON from Postgres | CSV written | CPU ms a page (median of 5 runs of 20 pages) |', '|---|---|---|---|'];
  for (const c of cases) {
    const json = JSON.stringify({ rows: Array.from({ length: c.rows }, () => c.row) });
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < 5; run++) {
      // workerd moves its clock on I/O only: a wait before and after 20 pages, whose cost is spread over them.
      await scheduler.wait(1);
      const started = performance.now();
      for (let page = 0; page < 20; page++) {
        const text = (JSON.parse(json) as { rows: unknown[] }).rows.map(c.write).join('');
        bytes = new TextEncoder().encode(text).length;
      }
      await scheduler.wait(0);
      times.push((performance.now() - started) / 20);
    }
    lines.push(`| ${c.name} | ${(json.length / 1e6).toFixed(2)} MB | ${(bytes / 1e6).toFixed(2)} MB | ${median(times).toFixed(1)} |`);
  }
  console.log(`\nCPU per CSV page inside workerd\n\n${lines.join('\n')}\n`);
});
