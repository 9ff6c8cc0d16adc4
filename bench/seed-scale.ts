// A large data set written straight into PostgreSQL with generate_series, for the benchmarks that measure how
// the API behaves at scale (bench/report-plans.ts, and `npm run bench:scale`). It takes a migrated database
// (migrations/) and adds, on top of what is there: users (all with the password SCALE_PASSWORD, the first an
// admin), lots with spots 1..capacity, and reservations spread evenly over the last `days` days, ids growing
// with time as in a real table. What it writes keeps every rule of the schema and of the services:
// - history: 90 % completed (stays of 20 min to 7 h, some across midnight, cost by the pricing rule, paid by
//   card, cash, upi or nothing in turn), 10 % cancelled;
// - the newest `active` share is still running (half reserved, half parked, within the last 6 hours), each on
//   a spot of its own whose status says so, each with a plate of its own;
// - one user in 100 reservations is the same "fleet" user (`heavyUserId`), for the per-user figures.
// Foreign keys and triggers are not fired row by row (session_replication_role = replica, so it needs a
// superuser, which a local server has); the report aggregates and counts are then rebuilt in one pass when
// the database has them (migration 0010), so the figures are what the triggers would have written.
import pg from 'pg';
import { hashPassword } from '../src/services/auth/password.ts';

export interface ScaleSizes {
  users: number;
  lots: number;
  /** Spread evenly: every lot gets floor(spots / lots) spots. */
  spots: number;
  reservations: number;
  days: number;
  /** The share of spots held by a running (reserved or parked) reservation at the end. */
  activeShare: number;
}

export const SCALE_SIZES: ScaleSizes = { users: 100_000, lots: 5_000, spots: 200_000, reservations: 1_000_000, days: 90, activeShare: 0.3 };

/** Every seeded user's password. */
export const SCALE_PASSWORD = 'scale-password-123';

export interface SeededScale {
  sizes: ScaleSizes;
  adminEmail: string;
  /** Seeded users are scale{n}@parkedge.test for n = 1..users (n = 1 is the admin). */
  userEmail: (n: number) => string;
  firstUserId: number;
  heavyUserId: number;
  firstLotId: number;
  capacity: number;
  activeReservations: number;
  seconds: number;
  /** How long report_stats_rebuild() took (what migration 0010's backfill costs on this data); null without it. */
  rebuildSeconds: number | null;
}

const userEmail = (run: string) => (n: number) => (n === 1 ? `scale-admin-${run}@parkedge.test` : `scale${n}-${run}@parkedge.test`);

async function nextId(client: pg.Client, table: string): Promise<number> {
  const { rows } = await client.query<{ id: number }>(`SELECT coalesce(max(id), 0)::int + 1 AS id FROM ${table}`);
  return rows[0]!.id;
}

export async function seedScale(databaseUrl: string, wanted: Partial<ScaleSizes> = {}): Promise<SeededScale> {
  const sizes = { ...SCALE_SIZES, ...wanted };
  const capacity = Math.floor(sizes.spots / sizes.lots);
  if (capacity < 1 || capacity > 5000) throw new Error(`spots / lots must be 1..5000 (the capacity of a lot), not ${capacity}`);
  const active = Math.min(Math.floor(sizes.lots * capacity * sizes.activeShare), Math.floor(sizes.reservations / 2));
  const history = sizes.reservations - active;
  const started = performance.now();
  const run = Date.now().toString(36);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    await client.query('BEGIN');
    const user0 = await nextId(client, 'users');
    const lot0 = await nextId(client, 'parking_lots');
    const spot0 = await nextId(client, 'spots');
    const hash = await hashPassword(SCALE_PASSWORD);
    const p = { user0, lot0, spot0, capacity, lots: sizes.lots, users: sizes.users, history, active, days: sizes.days };

    await client.query(
      `INSERT INTO users (id, email, password_hash, name, vehicle_plate, role, created_at, updated_at)
       SELECT $1::int + g - 1, CASE WHEN g = 1 THEN $4 ELSE 'scale' || g || '-' || $5 || '@parkedge.test' END, $2, 'Scale User ' || g,
              'SCU' || g, CASE WHEN g = 1 THEN 'admin' ELSE 'user' END::user_role, now() - interval '100 days', now() - interval '100 days'
       FROM generate_series(1, $3::int) g`,
      [user0, hash, sizes.users, userEmail(run)(1), run],
    );
    await client.query(
      `INSERT INTO parking_lots (id, name, address, pin_code, price_per_hour_cents, capacity, latitude, longitude, created_at, updated_at)
       SELECT $1::int + g - 1, 'Scale Lot ' || g, g || ' Scale Road', lpad((560000 + g % 1000)::text, 6, '0'), 100 + (g * 37) % 1900, $2::int,
              12.9 + (g % 100) / 1000.0, 77.5 + (g / 100 % 100) / 1000.0, now() - interval '100 days', now() - interval '100 days'
       FROM generate_series(1, $3::int) g`,
      [lot0, capacity, sizes.lots],
    );
    await client.query(
      `INSERT INTO spots (id, lot_id, number, status)
       SELECT $1::int + (l - 1) * $2::int + n - 1, $3::int + l - 1, n, 'available'
       FROM generate_series(1, $4::int) l, generate_series(1, $2::int) n`,
      [spot0, capacity, lot0, sizes.lots],
    );
    // History: reservation g (0-based) at an even step over [now - days, now - 6 h); lot and user scattered by
    // multiplicative hashing; spot number by g. Stays and cancellations end by now - 1 minute at the latest.
    await client.query(
      `WITH h AS (
         SELECT g,
                $2::int + ((g * 2654435761) % 4294967296) % $3::int AS lot_id,
                CASE WHEN g % 100 = 0 THEN $1::int + 1 ELSE $1::int + ((g * 40503) % 4294967296) % $4::int END AS user_id,
                now() - make_interval(days => $5::int) + (make_interval(days => $5::int) - interval '6 hours') * (g::float8 / $6::int) AS reserved_at
         FROM generate_series(0::bigint, $6::int - 1) g
       ), t AS (
         SELECT h.*, l.price_per_hour_cents AS price, 1 + g % $7::int AS number,
                g % 10 = 0 AS cancelled,
                h.reserved_at + make_interval(mins => (g % 20)::int) AS parked_at,
                least(h.reserved_at + make_interval(mins => (g % 20)::int) + make_interval(mins => 20 + ((g * 37) % 400)::int, secs => (g % 60)::int),
                      now() - interval '1 minute') AS stay_end
         FROM h JOIN parking_lots l ON l.id = h.lot_id
       )
       INSERT INTO reservations (user_id, lot_id, spot_id, spot_number, vehicle_plate, status, reserved_at, parked_at, released_at,
                                 price_per_hour_cents, cost_cents, payment_method)
       SELECT user_id, lot_id, $8::int + (lot_id - $2::int) * $7::int + number - 1, number, 'SCU' || (user_id - $1::int + 1),
              CASE WHEN cancelled THEN 'cancelled' ELSE 'completed' END::reservation_status,
              reserved_at,
              CASE WHEN cancelled THEN NULL ELSE parked_at END,
              CASE WHEN cancelled THEN reserved_at + make_interval(mins => 5 + (g % 30)::int) ELSE stay_end END,
              price,
              CASE WHEN cancelled THEN NULL
                   ELSE ceil(price::numeric * greatest(1, ceil(extract(epoch FROM stay_end - parked_at) / 60)) / 60)::bigint END,
              CASE WHEN cancelled THEN NULL ELSE (ARRAY['card', 'cash', 'upi', NULL])[1 + g % 4]::payment_method END
       FROM t ORDER BY g`,
      [p.user0, p.lot0, p.lots, p.users, p.days, p.history, p.capacity, p.spot0],
    );
    // Running now: j (0-based) holds spot 1 + j / lots of lot 1 + j % lots, booked within the last 6 hours.
    await client.query(
      `WITH a AS (
         SELECT j, $2::int + j % $3::int AS lot_id, 1 + j / $3::int AS number,
                $1::int + ((j * 40503) % 4294967296) % $4::int AS user_id,
                now() - interval '6 hours' + interval '6 hours' * (j::float8 / $5::int) AS reserved_at
         FROM generate_series(0::bigint, $5::int - 1) j
       )
       INSERT INTO reservations (user_id, lot_id, spot_id, spot_number, vehicle_plate, status, reserved_at, parked_at, price_per_hour_cents)
       SELECT a.user_id, a.lot_id, $6::int + (a.lot_id - $2::int) * $7::int + a.number - 1, a.number, 'ACT' || a.j || 'X' || $8,
              CASE WHEN a.j % 2 = 0 THEN 'reserved' ELSE 'parked' END::reservation_status,
              a.reserved_at, CASE WHEN a.j % 2 = 0 THEN NULL ELSE least(a.reserved_at + interval '5 minutes', now()) END,
              l.price_per_hour_cents
       FROM a JOIN parking_lots l ON l.id = a.lot_id ORDER BY a.j`,
      [p.user0, p.lot0, p.lots, p.users, p.active, p.spot0, p.capacity, run.toUpperCase()],
    );
    await client.query(
      `UPDATE spots s SET status = CASE WHEN r.status = 'reserved' THEN 'reserved' ELSE 'occupied' END::spot_status
       FROM reservations r WHERE r.spot_id = s.id AND r.status IN ('reserved', 'parked') AND s.lot_id >= $1`,
      [lot0],
    );
    for (const [sequence, table] of [['users_id_seq', 'users'], ['parking_lots_id_seq', 'parking_lots'], ['spots_id_seq', 'spots'], ['reservations_id_seq', 'reservations']]) {
      await client.query(`SELECT setval('${sequence}', (SELECT max(id) FROM ${table}))`);
    }
    // The aggregates of migration 0010, when the database has them: what the triggers would have kept.
    const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regproc('report_stats_rebuild') IS NOT NULL AS exists`);
    const rebuilding = performance.now();
    if (rows[0]!.exists) await client.query('SELECT report_stats_rebuild()');
    const rebuildSeconds = rows[0]!.exists ? Math.round((performance.now() - rebuilding) / 100) / 10 : null;
    await client.query('COMMIT');
    await client.query('SET session_replication_role = DEFAULT');
    await client.query('VACUUM ANALYZE');
    return {
      sizes,
      adminEmail: userEmail(run)(1),
      userEmail: userEmail(run),
      firstUserId: user0,
      heavyUserId: user0 + 1,
      firstLotId: lot0,
      capacity,
      activeReservations: active,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      rebuildSeconds,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
