// The global setup of `npm run bench:scale` (after test/global-setup.ts, whose stack it shares: the Neon stand-in
// serves any database of the server). Two worlds, each a database of its own seeded by bench/seed-scale.ts and a
// Redis database of its own (a redis-server this setup starts), so that the caches of one never answer the
// other: `small` and `large`. Sizes: BENCH_SMALL / BENCH_LARGE as `users=…,lots=…,spots=…,reservations=…,days=…`
// over the defaults below; BENCH_KEEP=1 reuses the databases of the previous run when they hold reservations.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDatabase, migrateDatabase, useSqlEndpoint } from '../dev/lib/database.ts';
import { freePort } from '../dev/lib/probe.ts';
import { spawnRedisServer } from '../dev/lib/redis-server.ts';
import { PostgresBackend } from '../dev/neon-http/backends.ts';
import { startNeonHttp } from '../dev/neon-http/server.ts';
import { startRedisRest, type RedisRestServer } from '../dev/redis-rest/server.ts';
import { SCALE_PASSWORD, SCALE_SIZES, seedScale, type ScaleSizes } from './seed-scale.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** JSON of ScaleWorld[]. */
    scaleWorlds: string;
  }
}

/** What bench/scale.bench.ts needs to know of a seeded world. */
export interface ScaleWorld {
  name: string;
  databaseUrl: string;
  redisRestUrl: string;
  redisToken: string;
  counts: { users: number; lots: number; spots: number; reservations: number };
  password: string;
  adminEmail: string;
  /** The user with the most reservations (the seed's fleet account), and one with about the usual number. */
  heavyEmail: string;
  heavyReservations: number;
  typicalEmail: string;
  typicalUserId: number;
  typicalReservations: number;
  middleLotId: number;
  middleReservationId: number;
  /** A lot in the middle of the map, the centre of the search by distance. */
  near: { lat: number; lng: number };
}

const SMALL: ScaleSizes = { users: 1_000, lots: 50, spots: 2_000, reservations: 10_000, days: 90, activeShare: 0.3 };
const REDIS_TOKEN = 'test-token';

function sizesFrom(variable: string, defaults: ScaleSizes): ScaleSizes {
  const text = process.env[variable];
  if (!text) return defaults;
  const sizes = { ...defaults };
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (!name || !(name in sizes) || !Number.isFinite(Number(value))) throw new Error(`${variable}: '${part}' is not one of ${Object.keys(sizes).join(', ')} = a number`);
    sizes[name as keyof ScaleSizes] = Number(value);
  }
  return sizes;
}

async function prepare(name: string, sizes: ScaleSizes, databaseUrl: string): Promise<Omit<ScaleWorld, 'redisRestUrl' | 'redisToken'>> {
  await ensureDatabase(databaseUrl, { recreate: !process.env.BENCH_KEEP });
  await migrateDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const one = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows[0] as T;
    if ((await one<{ n: number }>('SELECT count(*)::int AS n FROM reservations')).n === 0) {
      console.log(`[scale] seeding ${name}: ${JSON.stringify(sizes)}`);
      const seeded = await seedScale(databaseUrl, sizes);
      console.log(`[scale] ${name} seeded in ${seeded.seconds} s (aggregates rebuilt in ${seeded.rebuildSeconds} s of it)`);
    } else {
      console.log(`[scale] ${name}: reusing the seeded database (BENCH_KEEP)`);
    }
    const counts = await one<ScaleWorld['counts']>(`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM parking_lots) AS lots,
      (SELECT count(*)::int FROM spots) AS spots, (SELECT count(*)::int FROM reservations) AS reservations`);
    const admin = await one<{ email: string }>(`SELECT email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1`);
    const heavy = await one<{ email: string; n: number }>(`SELECT u.email, c.n FROM users u JOIN (
      SELECT user_id, count(*)::int AS n FROM reservations WHERE user_id IS NOT NULL GROUP BY user_id ORDER BY n DESC LIMIT 1) c ON c.user_id = u.id`);
    const typical = await one<{ id: number; email: string; n: number }>(`SELECT u.id, u.email, (SELECT count(*)::int FROM reservations r WHERE r.user_id = u.id) AS n
      FROM users u WHERE u.role = 'user' AND u.id >= (SELECT (min(id) + max(id)) / 2 FROM users) ORDER BY u.id LIMIT 1`);
    const lot = await one<{ id: number; lat: number; lng: number }>(`SELECT id, latitude AS lat, longitude AS lng FROM parking_lots
      WHERE id >= (SELECT (min(id) + max(id)) / 2 FROM parking_lots) AND latitude IS NOT NULL ORDER BY id LIMIT 1`);
    const reservation = await one<{ id: number }>(`SELECT id FROM reservations WHERE id >= (SELECT (min(id) + max(id)) / 2 FROM reservations) ORDER BY id LIMIT 1`);
    return {
      name,
      databaseUrl,
      counts,
      password: SCALE_PASSWORD,
      adminEmail: admin.email,
      heavyEmail: heavy.email,
      heavyReservations: heavy.n,
      typicalEmail: typical.email,
      typicalUserId: typical.id,
      typicalReservations: typical.n,
      middleLotId: lot.id,
      middleReservationId: reservation.id,
      near: { lat: lot.lat, lng: lot.lng },
    };
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  const server = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const databaseUrl = (suffix: string) => Object.assign(new URL(server), { pathname: `/parkedge_bench_scale_${suffix}` }).toString();
  // The migrations go through a Neon stand-in of this setup's own (the stack's is not known to this module).
  const neonHttp = await startNeonHttp({ backend: new PostgresBackend() });
  const redisServer = await spawnRedisServer(await freePort());
  if (!redisServer) throw new Error('bench:scale needs redis-server installed (a Redis database per world)');
  const rests: RedisRestServer[] = [];
  try {
    useSqlEndpoint(neonHttp.sqlEndpoint);
    const worlds: ScaleWorld[] = [];
    for (const [i, [name, sizes]] of ([['small', sizesFrom('BENCH_SMALL', SMALL)], ['large', sizesFrom('BENCH_LARGE', SCALE_SIZES)]] as const).entries()) {
      const world = await prepare(name, sizes, databaseUrl(name));
      const rest = await startRedisRest({ token: REDIS_TOKEN, target: { host: '127.0.0.1', port: redisServer.port, db: i } });
      rests.push(rest);
      worlds.push({ ...world, redisRestUrl: rest.url, redisToken: REDIS_TOKEN });
    }
    project.provide('scaleWorlds', JSON.stringify(worlds));
  } finally {
    await neonHttp.close();
  }
  return async () => {
    for (const rest of rests) await rest.close();
    await redisServer.stop();
  };
}
