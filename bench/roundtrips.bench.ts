// npm run bench:roundtrips — the round-trip table of the hot endpoints: Redis round trips the caller waits
// for (before the response), those after it (waitUntil), Postgres round trips, and the latency with the
// stand-ins at no distance and at a simulated distance to the region. Runs inside workerd like the tests.
import { beforeAll, it } from 'vitest';
import { call, testEnv, type CallOptions } from '../test/helpers/http.ts';
import { makeAdmin, makeLot, makeUser, redisClient, type TestUser, uniquePlate } from '../test/helpers/fixtures.ts';
import { keys } from '../src/redis/keys.ts';
import { tagged } from '../test/helpers/stand-ins.ts';

const DISTANCE_MS = 40;
const RUNS = 7;
const tag = tagged();
// The benchmark books far more than 50 times an hour: lift the limits (their check still runs, and counts).
const scope = { ...tag, env: { ...tag.env, RATE_LIMIT_PER_HOUR: '1000000', RATE_LIMIT_ANONYMOUS_PER_HOUR: '1000000' } };

interface Case {
  name: string;
  /** Prepares the state the request needs (not measured) and returns the request. */
  prepare: () => Promise<{ method: string; path: string; options?: CallOptions }>;
}

let admin: TestUser;
let user: TestUser;
let lotId: number;

const plate = () => uniquePlate();
const booked = async () => (await call('POST', '/reservations', { env: scope.env, token: user.token, body: { lot_id: lotId, vehicle_plate: plate() } })).body.id;
// The lot's entry gone as its TTL would take it (a write no longer leaves a hole: it stores the lot's new state).
const expireLot = async () => {
  await redisClient().del(keys.lot(lotId));
  await redisClient().incr(keys.cacheVersion(keys.lot(lotId)));
};

const cases: Case[] = [
  { name: 'GET /parking-lots/:id (cached)', prepare: async () => ({ method: 'GET', path: `/parking-lots/${lotId}` }) },
  { name: 'GET /parking-lots/:id (expired)', prepare: async () => (await expireLot(), { method: 'GET', path: `/parking-lots/${lotId}` }) },
  // The forecast's entry gone, as at the turn of the hour: one query for it, the lot still a hit.
  { name: 'GET /parking-lots/:id (forecast expired)', prepare: async () => (await redisClient().del(keys.lotForecast(lotId)), { method: 'GET', path: `/parking-lots/${lotId}` }) },
  { name: 'GET /parking-lots/:id (right after a booking)', prepare: async () => (await booked(), { method: 'GET', path: `/parking-lots/${lotId}` }) },
  { name: 'GET /parking-lots (cached)', prepare: async () => ({ method: 'GET', path: '/parking-lots' }) },
  { name: 'GET /auth/me (cached session)', prepare: async () => ({ method: 'GET', path: '/auth/me', options: { token: user.token } }) },
  { name: 'GET /users (admin, cached)', prepare: async () => ({ method: 'GET', path: '/users', options: { token: admin.token } }) },
  { name: 'POST /reservations', prepare: async () => ({ method: 'POST', path: '/reservations', options: { token: user.token, body: { lot_id: lotId, vehicle_plate: plate() } } }) },
  {
    name: 'POST /reservations + Idempotency-Key',
    prepare: async () => ({ method: 'POST', path: '/reservations', options: { token: user.token, body: { lot_id: lotId, vehicle_plate: plate() }, headers: { 'idempotency-key': crypto.randomUUID() } } }),
  },
  { name: 'POST /reservations/:id/park', prepare: async () => ({ method: 'POST', path: `/reservations/${await booked()}/park`, options: { token: user.token } }) },
  { name: 'POST /auth/login', prepare: async () => ({ method: 'POST', path: '/auth/login', options: { body: { email: user.email, password: user.password } } }) },
];

interface Row {
  before: number;
  after: number;
  postgres: number;
  near: number;
  far: number;
}

async function measure(c: Case): Promise<{ before: number; after: number; postgres: number; ms: number }> {
  const { method, path, options } = await c.prepare();
  const { result, redis, neon } = await scope.count(() => call(method, path, { ...options, env: scope.env }));
  if (result.status >= 400) throw new Error(`${c.name}: ${result.status} ${result.text}`);
  const before = Number(result.headers.get('x-redis-round-trips'));
  return { before, after: redis - before, postgres: neon, ms: result.elapsedMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
/** The most frequent value: the round trips of the usual case (not of the run that found a cold cache). */
function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

beforeAll(async () => {
  admin = await makeAdmin();
  user = await makeUser();
  lotId = (await makeLot(admin, { capacity: 1000 })).id;
  for (const c of cases) await measure(c); // warm-up: isolate checks, scripts loaded, caches filled
});

it('prints the round-trip table', async () => {
  const rows = new Map<string, Row>();
  for (const distance of [0, DISTANCE_MS]) {
    await scope.configure('redis', { delay_ms: distance });
    await scope.configure('neon', { delay_ms: distance });
    for (const c of cases) {
      await measure(c); // not counted: leaves the state of the usual case (a filled cache, say)
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(c));
      const row = rows.get(c.name) ?? {
        before: mode(runs.map((r) => r.before)),
        after: mode(runs.map((r) => r.after)),
        postgres: mode(runs.map((r) => r.postgres)),
        near: 0,
        far: 0,
      };
      row[distance === 0 ? 'near' : 'far'] = median(runs.map((r) => r.ms));
      rows.set(c.name, row);
    }
  }
  await scope.configure('redis', { delay_ms: 0 });
  await scope.configure('neon', { delay_ms: 0 });

  const header = `| endpoint | Redis RT before response | Redis RT after | Postgres RT | median ms, stand-ins at 0 ms | median ms, at ${DISTANCE_MS} ms per round trip |`;
  const lines = [header, '|---|---|---|---|---|---|'];
  for (const [name, r] of rows) lines.push(`| ${name} | ${r.before} | ${r.after} | ${r.postgres} | ${r.near.toFixed(1)} | ${r.far.toFixed(1)} |`);
  console.log(`\nRound trips per request (${RUNS} runs each; latency = time to the response inside workerd)\n\n${lines.join('\n')}\n`);
});

it('prints the latency of one request with Redis dead and with Redis hanging', async () => {
  const lot = `/parking-lots/${lotId}`;
  const timed = async (env: typeof scope.env) => (await call('GET', lot, { env })).elapsedMs;
  const dead = { ...scope.env, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
  const hanging = { ...scope.env, UPSTASH_REDIS_REST_URL: testEnv.HANGING_URL };
  const deadFirst = await timed(dead);
  const deadNext = median([await timed(dead), await timed(dead), await timed(dead)]);
  const hangingFirst = await timed(hanging);
  const hangingNext = median([await timed(hanging), await timed(hanging), await timed(hanging)]);
  const lines = [
    '| Redis | first request | next requests (circuit open, median of 3) |',
    '|---|---|---|',
    `| dead (connection refused) | ${deadFirst.toFixed(1)} ms | ${deadNext.toFixed(1)} ms |`,
    `| hanging (accepts, never answers; timeout ${testEnv.REDIS_TIMEOUT_MS ?? 800} ms) | ${hangingFirst.toFixed(1)} ms | ${hangingNext.toFixed(1)} ms |`,
  ];
  console.log(`\nGET /parking-lots/:id without Redis (answered from Postgres, 200)\n\n${lines.join('\n')}\n`);
});
