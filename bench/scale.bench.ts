// npm run bench:scale — every read endpoint on a small and a large data set (bench/scale-setup.ts seeds them),
// inside workerd like the tests: per endpoint and data set, the response's bytes, the Postgres round trips (the
// Neon stand-in's count for the request's tag, work after the response included), the median and p95 latency
// of RUNS requests (after one not counted, which fills the caches as the usual case finds them), and whether
// the statements it sent (the stand-in keeps them per tag; one more request with Redis down adds those of the
// cache's fallback) plan a sequential scan of a large table: each is run again under EXPLAIN on the same database. What should hold: bytes and time do not grow with the data.
import { neonConfig } from '@neondatabase/serverless';
import { beforeAll, it } from 'vitest';
import type { Env } from '../src/env.ts';
import { encodeCursor } from '../src/services/pagination.ts';
import { call, testEnv } from '../test/helpers/http.ts';
import { FILTERED_ROWS, LARGE_TABLE_ROWS, largeTables, planVerdict, type Statement } from './scale-plans.ts';
import type { ScaleWorld } from './scale-setup.ts';

const RUNS = 20;
const worlds = JSON.parse((testEnv as unknown as { SCALE_WORLDS: string }).SCALE_WORLDS) as ScaleWorld[];
neonConfig.fetchEndpoint = testEnv.NEON_HTTP_ENDPOINT!;

interface Tokens {
  admin: string;
  heavy: string;
  typical: string;
}

interface Case {
  name: string;
  request: (world: ScaleWorld, tokens: Tokens) => { path: string; token?: string };
}

const page = (list: string, id: number) => encodeURIComponent(encodeCursor(list, [id]));

const cases: Case[] = [
  { name: 'GET /auth/me', request: (_, t) => ({ path: '/auth/me', token: t.typical }) },
  { name: 'GET /users (first page)', request: (_, t) => ({ path: '/users', token: t.admin }) },
  { name: 'GET /users (a middle page)', request: (w, t) => ({ path: `/users?cursor=${page('users', w.typicalUserId)}`, token: t.admin }) },
  { name: 'GET /users/:id', request: (w, t) => ({ path: `/users/${w.typicalUserId}`, token: t.admin }) },
  { name: 'GET /parking-lots (first page)', request: () => ({ path: '/parking-lots' }) },
  { name: 'GET /parking-lots (a middle page)', request: (w) => ({ path: `/parking-lots?cursor=${page('lots', w.middleLotId)}` }) },
  { name: 'GET /parking-lots?near= (1 km)', request: (w) => ({ path: `/parking-lots?near=${w.near.lat},${w.near.lng}&radius_km=1` }) },
  { name: 'GET /parking-lots?near=&sort=available', request: (w) => ({ path: `/parking-lots?near=${w.near.lat},${w.near.lng}&radius_km=1&sort=available` }) },
  { name: 'GET /parking-lots/:id', request: (w) => ({ path: `/parking-lots/${w.middleLotId}` }) },
  { name: 'GET /parking-lots/:id/spots', request: (w, t) => ({ path: `/parking-lots/${w.middleLotId}/spots`, token: t.admin }) },
  { name: 'GET /reservations (admin)', request: (_, t) => ({ path: '/reservations', token: t.admin }) },
  { name: 'GET /reservations (admin, a middle page)', request: (w, t) => ({ path: `/reservations?cursor=${page('reservations', w.middleReservationId)}`, token: t.admin }) },
  { name: 'GET /reservations?status=parked', request: (_, t) => ({ path: '/reservations?status=parked', token: t.admin }) },
  { name: 'GET /reservations?status=cancelled', request: (_, t) => ({ path: '/reservations?status=cancelled', token: t.admin }) },
  { name: 'GET /reservations?status=completed', request: (_, t) => ({ path: '/reservations?status=completed', token: t.admin }) },
  { name: 'GET /reservations?lot_id=', request: (w, t) => ({ path: `/reservations?lot_id=${w.middleLotId}`, token: t.admin }) },
  { name: "GET /reservations (the fleet user's own)", request: (_, t) => ({ path: '/reservations', token: t.heavy }) },
  { name: 'GET /reservations/:id', request: (w, t) => ({ path: `/reservations/${w.middleReservationId}`, token: t.admin }) },
  { name: 'GET /reports', request: (_, t) => ({ path: '/reports', token: t.admin }) },
  { name: 'GET /reports?format=csv (every lot)', request: (_, t) => ({ path: '/reports?format=csv', token: t.admin }) },
  { name: 'GET /user-reports (typical user)', request: (_, t) => ({ path: '/user-reports', token: t.typical }) },
  { name: 'GET /user-reports (fleet user)', request: (_, t) => ({ path: '/user-reports', token: t.heavy }) },
  { name: 'GET /user-reports (fleet user, a middle page of per_lot)', request: (w, t) => ({ path: `/user-reports?per_lot_cursor=${page('user-report-lots', w.middleLotId)}`, token: t.heavy }) },
  { name: 'GET /user-reports?format=csv (typical user)', request: (_, t) => ({ path: '/user-reports?format=csv', token: t.typical }) },
  { name: 'GET /user-reports?format=csv (fleet user)', request: (_, t) => ({ path: '/user-reports?format=csv', token: t.heavy }) },
  { name: 'GET /admin/redis-dashboard', request: (_, t) => ({ path: '/admin/redis-dashboard', token: t.admin }) },
];

interface Figures {
  bytes: number;
  postgres: number;
  median: number;
  p95: number;
  plans: string;
}

/** The Worker's env for one world, its Postgres and Redis traffic under `tag` (see test/helpers/stand-ins.ts). */
function worldEnv(world: ScaleWorld, tag: string): Env {
  const databaseUrl = new URL(world.databaseUrl);
  databaseUrl.searchParams.set('application_name', tag);
  return {
    ...testEnv,
    DATABASE_URL: databaseUrl.toString(),
    UPSTASH_REDIS_REST_URL: world.redisRestUrl,
    UPSTASH_REDIS_REST_TOKEN: `${world.redisToken}.${tag}`,
    // The benchmark asks far more than 50 times an hour: lift the limits (their check still runs).
    RATE_LIMIT_PER_HOUR: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_HOUR: '1000000',
  };
}

interface Stats {
  requests: number;
  statements: Statement[];
}

async function neonStats(tag: string): Promise<Stats> {
  return (await (await fetch(`${testEnv.NEON_CONTROL_URL}/__control/stats?tag=${tag}`)).json()) as Stats;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

async function login(env: Env, email: string, password: string): Promise<string> {
  const res = await call('POST', '/auth/login', { env, body: { email, password } });
  if (res.status !== 200) throw new Error(`login of ${email}: ${res.status} ${res.text}`);
  return res.body.token as string;
}

async function tokensOf(world: ScaleWorld): Promise<Tokens> {
  const env = worldEnv(world, `scale-login-${world.name}`);
  return {
    admin: await login(env, world.adminEmail, world.password),
    heavy: await login(env, world.heavyEmail, world.password),
    typical: await login(env, world.typicalEmail, world.password),
  };
}

/** One case in one world: its request, sent and counted under a tag of its own. */
function prepareCase(world: ScaleWorld, tokens: Tokens, c: Case) {
  const tag = `scale${world.name}${crypto.randomUUID().replaceAll('-', '')}`;
  const env = worldEnv(world, tag);
  const { path, token } = c.request(world, tokens);
  const auth = token ? { token } : {};
  return {
    tag,
    once: async () => {
      const before = (await neonStats(tag)).requests;
      const res = await call('GET', path, { env, ...auth });
      if (res.status !== 200) throw new Error(`${world.name} ${c.name}: ${res.status} ${res.text.slice(0, 300)}`);
      const after = (await neonStats(tag)).requests;
      return { bytes: new TextEncoder().encode(res.text).length, postgres: after - before, ms: res.elapsedMs };
    },
    // Not counted: what a cached endpoint asks Postgres when its cache cannot answer, so that the plans cover
    // every statement the endpoint can send (its status does not matter here).
    withoutRedis: () => call('GET', path, { env: { ...env, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL }, ...auth }),
  };
}

const results = new Map<string, Map<string, Figures>>(worlds.map((w) => [w.name, new Map()]));

/**
 * How long an isolate shares a load with the readers that miss the same entry at the same version
 * (services/cache.ts): the worlds' entries have the same names and versions, so one world waits this long after
 * the other before it asks anything (in production an isolate serves one database, one Redis).
 */
const SHARED_LOAD_MS = 2000;
const settle = () => new Promise((resolve) => setTimeout(resolve, SHARED_LOAD_MS + 500));

beforeAll(async () => {
  const tokens = await Promise.all(worlds.map(tokensOf));
  const large = await largeTables(worlds[worlds.length - 1]!);
  const prepared = worlds.map((world, w) => cases.map((c) => prepareCase(world, tokens[w]!, c)));
  // Not counted: a pass over every endpoint of each world, so that neither finds the isolate colder than the
  // other, and the caches (and Redis's lot positions) are filled as the usual request finds them.
  for (const world of prepared) {
    for (const p of world) await p.once();
    await settle();
  }
  for (const [w, world] of prepared.entries()) {
    for (const [i, p] of world.entries()) {
      await p.once(); // not counted either: the state the request before it left
      const runs = [];
      for (let run = 0; run < RUNS; run++) runs.push(await p.once());
      await p.withoutRedis();
      const ms = sorted(runs.map((r) => r.ms));
      results.get(worlds[w]!.name)!.set(cases[i]!.name, {
        bytes: Math.max(...runs.map((r) => r.bytes)),
        postgres: mode(runs.map((r) => r.postgres)),
        median: ms[Math.floor(RUNS / 2)]!,
        p95: ms[Math.ceil(RUNS * 0.95) - 1]!,
        plans: await planVerdict(worlds[w]!, (await neonStats(p.tag)).statements, large, w < worlds.length - 1),
      });
    }
    await settle();
  }
}, 1_800_000);

const describeWorld = (w: ScaleWorld) =>
  `${w.name}: ${w.counts.users} users, ${w.counts.lots} lots, ${w.counts.spots} spots, ${w.counts.reservations} reservations ` +
  `(fleet user ${w.heavyReservations}, typical user ${w.typicalReservations})`;

it('prints the table of the endpoints on small and large data', () => {
  const [small, large] = worlds as [ScaleWorld, ScaleWorld];
  const s = results.get(small.name)!;
  const l = results.get(large.name)!;
  const both = (pick: (f: Figures) => string) => (name: string) => `${pick(s.get(name)!)} | ${pick(l.get(name)!)}`;
  const bytes = both((f) => f.bytes.toLocaleString('en-US'));
  const postgres = both((f) => String(f.postgres));
  const median = both((f) => f.median.toFixed(1));
  const p95 = both((f) => f.p95.toFixed(1));
  const plans = both((f) => f.plans);
  const lines = [
    '| endpoint | bytes, small | bytes, large | Postgres RT, small | large | median ms, small | large | p95 ms, small | large | plans, small (seq scans off) | plans, large |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...cases.map((c) => `| ${c.name} | ${bytes(c.name)} | ${postgres(c.name)} | ${median(c.name)} | ${p95(c.name)} | ${plans(c.name)} |`),
  ];
  console.log(
    `\nEvery read endpoint on small and large data (${RUNS} requests each, after one not counted; latency = time to the whole response inside workerd, whose clock moves in whole ms; bytes = the largest answer)\n` +
      `- ${describeWorld(small)}\n- ${describeWorld(large)}\n` +
      `plans: EXPLAIN of every distinct statement the endpoint sent, Redis up and once down (their number); a sequential scan of a table that has over ${LARGE_TABLE_ROWS} rows in the large data is named, and over ${FILTERED_ROWS} rows read to be filtered away\n\n${lines.join('\n')}\n`,
  );
});
