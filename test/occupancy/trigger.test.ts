// The hourly occupancy rows (migration 0013) follow every change of a lot's spots in the statement that makes it:
// bookings, park, release, cancel, capacity changes and bookings racing each other, on real PostgreSQL. Each
// expectation is worked out here from what the API answered (the lot's free spots after each step) and the
// moments the rows recorded, never read back from the same arithmetic.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql } from '../helpers/fixtures.ts';

interface HourRow {
  hour: string;
  min_occupied: number;
  max_occupied: number;
  occupied_seconds: number;
  last_occupied: number;
  capacity: number;
  last_change_at: string;
}

const rowsOf = async (lotId: number) =>
  (await sql`SELECT hour::text, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at::text
             FROM lot_occupancy_hours WHERE lot_id = ${lotId} ORDER BY hour`) as HourRow[];

/** Spots of the lot that are not free, as the API counts them. */
async function occupiedNow(lotId: number): Promise<{ occupied: number; capacity: number }> {
  const lot = (await call('GET', `/parking-lots/${lotId}`)).body;
  return { occupied: lot.capacity - lot.available_spots, capacity: lot.capacity };
}

/** Too close to the end of an hour, the steps of a test would be split over two rows: start in the next hour. */
async function awayFromHourEnd(): Promise<void> {
  const left = 3_600_000 - (Date.now() % 3_600_000);
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 500));
}

const step = (user: { token: string }, id: number, name: string) => call('POST', `/reservations/${id}/${name}`, { token: user.token });

describe('the occupancy hours', () => {
  it('follow book, park, release, cancel and capacity changes exactly, the seconds of each state included', async () => {
    await awayFromHourEnd();
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 4 });
    const seen: { occupied: number; capacity: number; at: number }[] = [];
    const observe = async () => {
      const rows = await rowsOf(lot.id);
      expect(rows, 'one row: every step in the same hour').toHaveLength(1);
      const row = rows[0]!;
      const now = await occupiedNow(lot.id);
      expect({ occupied: row.last_occupied, capacity: row.capacity }).toEqual(now);
      seen.push({ ...now, at: Date.parse(row.last_change_at) });
      return row;
    };
    const created = await observe();
    expect(created).toMatchObject({ min_occupied: 0, max_occupied: 0, occupied_seconds: 0 });

    const a = (await book(user, lot.id)).body;
    await observe();
    const b = (await book(user, lot.id)).body;
    await observe();
    expect((await step(user, a.id, 'park')).status).toBe(200);
    await observe(); // reserved → parked: still occupied, a change of state all the same
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 6 } })).status).toBe(200);
    await observe();
    expect((await step(user, a.id, 'release')).status).toBe(200);
    await observe();
    expect((await step(user, b.id, 'cancel')).status).toBe(200);
    await observe();
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 2 } })).status).toBe(200);
    const last = await observe();

    const occupied = seen.map((s) => s.occupied);
    expect(occupied).toEqual([0, 1, 2, 2, 2, 1, 0, 0]);
    expect(seen.map((s) => s.capacity)).toEqual([4, 4, 4, 4, 6, 6, 6, 2]);
    expect(last.min_occupied).toBe(Math.min(...occupied));
    expect(last.max_occupied).toBe(Math.max(...occupied));
    // Each state held from its change to the next one: the spot-seconds the row sums, to the microsecond.
    let expected = 0;
    for (let i = 1; i < seen.length; i++) expected += seen[i - 1]!.occupied * ((seen[i]!.at - seen[i - 1]!.at) / 1000);
    expect(last.occupied_seconds).toBeCloseTo(expected, 2);
    expect(last.occupied_seconds).toBeGreaterThan(0);
  });

  it('count every booking of a race, and a failed booking not at all', async () => {
    await awayFromHourEnd();
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 8 });
    const users = await Promise.all(Array.from({ length: 12 }, () => makeUser()));
    const answers = await Promise.all(users.map((user) => book(user, lot.id)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(8);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(4);
    const [row] = await rowsOf(lot.id);
    expect(row).toMatchObject({ min_occupied: 0, max_occupied: 8, last_occupied: 8, capacity: 8 });
    // The same race the other way: every reservation cancelled at once.
    const booked = answers.filter((r) => r.status === 201).map((r) => r.body);
    const cancels = await Promise.all(booked.map((r) => step(users.find((u) => u.id === r.user_id)!, r.id, 'cancel')));
    expect(cancels.every((r) => r.status === 200)).toBe(true);
    const [after] = await rowsOf(lot.id);
    expect(after).toMatchObject({ min_occupied: 0, max_occupied: 8, last_occupied: 0, capacity: 8 });
    expect(await occupiedNow(lot.id)).toEqual({ occupied: 0, capacity: 8 });
  });

  it('end every mixed race (bookings, cancels, a shrink and a growth at once) in the state of the spots', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 10 });
    const users = await Promise.all(Array.from({ length: 6 }, () => makeUser()));
    for (let round = 0; round < 5; round++) {
      const booked = (await Promise.all(users.slice(0, 3).map((user) => book(user, lot.id)))).filter((r) => r.status === 201).map((r) => r.body);
      await Promise.all([
        ...users.slice(3).map((user) => book(user, lot.id)),
        ...booked.map((r) => step(users.find((u) => u.id === r.user_id)!, r.id, 'cancel')),
        call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 6 + round } }),
        call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { capacity: 12 } }),
      ]);
      const [spots] = (await sql`SELECT count(*) FILTER (WHERE status <> 'available')::int AS occupied, count(*)::int AS capacity FROM spots WHERE lot_id = ${lot.id}`) as [{ occupied: number; capacity: number }];
      const latest = (await rowsOf(lot.id)).at(-1)!;
      expect({ occupied: latest.last_occupied, capacity: latest.capacity }, `round ${round}`).toEqual(spots);
      // Free the lot for the next round: every active reservation cancelled.
      const active = (await sql`SELECT id, user_id FROM reservations WHERE lot_id = ${lot.id} AND status = 'reserved'`) as { id: number; user_id: number }[];
      await Promise.all(active.map((r) => step(users.find((u) => u.id === r.user_id)!, r.id, 'cancel')));
    }
    const latest = (await rowsOf(lot.id)).at(-1)!;
    expect(latest.last_occupied).toBe(0);
  });

  it('go with their lot', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    expect(await rowsOf(lot.id)).toHaveLength(1);
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token })).status).toBe(204);
    expect(await rowsOf(lot.id)).toHaveLength(0);
  });
});
