// npm run bench:live — what the live stream costs against `wrangler dev` on this machine, on a stack of its
// own (a private PostgreSQL with track_commit_timestamp on, a private redis-server):
// 1. Idle cost: the resident memory of the two workerd processes wrangler dev runs (the Worker's, and its proxy
//    in front), after 30 s idle with 0, 1 000, 2 000 and 3 000 WebSockets open (1 000 a lot, 10 an IP); the
//    cost per 1 000 is the slope from 1 000 to 3 000 (the first step also pays for warming up). RSS moves with
//    the garbage of the upgrade requests too: a rough figure, and wrangler dev's, not the edge's.
// 2. Delay: 50 watchers of one lot (25 WebSockets, 25 event streams, one IP each), a 40-way booking race on
//    10 free spots, BENCH_ROUNDS times; for each change, the time from its transaction's commit (PostgreSQL's
//    commit timestamp; commits of one lot are in version order, the version's row lock is held to the commit)
//    to its arrival at each watcher. Same machine, same clock.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { seedAdmin } from '../dev/lib/database.ts';
import { startPrivatePostgres } from '../dev/lib/private-postgres.ts';
import { startStack } from '../dev/lib/stack.ts';
import { startWranglerDev } from '../test/browser/setup/wrangler-dev.ts';
import { openEventStream, openSocket, type Watcher } from '../test/live-dev/helpers/clients.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IDLE = Number(process.env.BENCH_IDLE_SOCKETS ?? 1000);
const admin = { email: 'admin@parkedge.local', password: 'bench-live-password' };

const postgres = await startPrivatePostgres();
const setup = new pg.Client({ connectionString: postgres.serverUrl });
await setup.connect();
await setup.query('ALTER SYSTEM SET track_commit_timestamp = on');
await setup.end();
await postgres.stop('fast');
await postgres.start();
const databaseUrl = postgres.serverUrl.replace(/\/postgres$/, '/parkedge_bench_live');
const stack = await startStack({ redis: { host: '127.0.0.1', port: 6379, db: 0 }, privateRedis: true, databaseUrl, recreateDatabase: true, redisToken: 'bench-live' });
await seedAdmin(stack.databaseUrl, admin.email, admin.password);
const wrangler = await startWranglerDev(
  {
    ENVIRONMENT: 'development',
    UPSTASH_REDIS_REST_URL: stack.redisRest.url,
    UPSTASH_REDIS_REST_TOKEN: stack.redisToken,
    DATABASE_URL: stack.databaseUrl,
    NEON_HTTP_ENDPOINT: stack.neonHttp.sqlEndpoint,
    RATE_LIMIT_PER_HOUR: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_HOUR: '1000000',
  },
  '/tmp/parkedge-bench-live-wrangler.log',
);
const origin = wrangler.origin;

async function call(method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

const adminToken = (await call('POST', '/auth/login', undefined, admin)).body.token as string;
let n = 0;
const unique = (p: string) => `${p}${process.pid}x${++n}`;
const newLot = async (capacity: number) =>
  (await call('POST', '/parking-lots', adminToken, { name: unique('Bench '), address: '1 Bench Road', pin_code: '560001', price_per_hour_cents: 100, capacity })).body.id as number;
const tokens = await Promise.all(
  Array.from({ length: 40 }, async (_, i) => (await call('POST', '/auth/register', undefined, { email: `${unique('b')}${i}@bench.test`, password: 'a-good-password', name: 'Bench' })).body.token as string),
);
const ip = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const wall = (at: number) => performance.timeOrigin + at; // performance.now() of an arrival, as epoch ms
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return `median ${quantile(s, 0.5).toFixed(1)} ms, p99 ${quantile(s, 0.99).toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms (${s.length} deliveries)`;
};

// 1. Memory of idle WebSockets, first, before the race's garbage: a ladder of 0, 1 000, 2 000, … sockets.
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=']).toString().trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const all: number[] = [];
  const walk = (p: number) => out.filter(([, pp]) => pp === p).forEach(([c]) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}
const proc = (pid: number, file: string) => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return ''; // gone meanwhile (ps itself)
  }
};
const comm = (pid: number) => proc(pid, 'comm').trim();
const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(proc(pid, 'status'))?.[1] ?? 0);
// wrangler dev runs two workerd processes: the Worker's (with an inspector) and its own proxy in front of it.
const workerds = () => descendants(process.pid).filter((p) => comm(p) === 'workerd');
const isWorkers = (pid: number) => proc(pid, 'cmdline').includes('--inspector-addr');
const rssOf = (which: 'worker' | 'proxy') => workerds().filter((p) => isWorkers(p) === (which === 'worker')).reduce((sum, p) => sum + rssKiB(p), 0);
const snapshot = () => ({ worker: rssOf('worker'), proxy: rssOf('proxy') });
type Snapshot = ReturnType<typeof snapshot>;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const STEPS = Number(process.env.BENCH_IDLE_STEPS ?? 3);
const warm = await openSocket(origin, await newLot(1), ip(60_000)); // the objects' code is loaded
await warm.until((e) => e.length >= 1);
let ipNext = 10_000;
async function idleSockets(lotId: number): Promise<Watcher[]> {
  const idle: Watcher[] = [];
  for (let i = 0; i < IDLE; i += 50) {
    idle.push(...(await Promise.all(Array.from({ length: Math.min(50, IDLE - i) }, (_, k) => openSocket(origin, lotId, ip(ipNext + Math.floor((i + k) / 10)))))));
  }
  ipNext += Math.ceil(IDLE / 10);
  await Promise.all(idle.map((w) => w.until((e) => e.length >= 1)));
  return idle;
}
const mib = (kib: number) => (kib / 1024).toFixed(0);
const ladder: Snapshot[] = [];
const idle: Watcher[] = [];
for (let step = 0; step <= STEPS; step++) {
  if (step > 0) idle.push(...(await idleSockets(await newLot(1)))); // one lot each: at most 1 000 a lot
  await settle(30_000); // idle: the objects are evicted, the runtime keeps the sockets
  ladder.push(snapshot());
}
for (const w of idle) w.close();
warm.close();
const slope = (which: keyof Snapshot) => ((ladder.at(-1)![which] - ladder[1]![which]) / (STEPS - 1 || 1) / 1024).toFixed(1);

// 2. Delay from commit to each watcher.
const delays = { websocket: [] as number[], sse: [] as number[] };
const db = new pg.Client({ connectionString: stack.databaseUrl });
await db.connect();
let ipBase = 0;
for (let round = 0; round < ROUNDS; round++) {
  const lotId = await newLot(10);
  const watchers: { kind: 'websocket' | 'sse'; w: Watcher }[] = await Promise.all(
    Array.from({ length: 50 }, async (_, i) =>
      i % 2 === 0 ? { kind: 'websocket' as const, w: await openSocket(origin, lotId, ip(ipBase + i)) } : { kind: 'sse' as const, w: await openEventStream(origin, lotId, ip(ipBase + i)) },
    ),
  );
  ipBase += 50;
  await Promise.all(watchers.map(({ w }) => w.until((e) => e.length >= 1)));
  const first = watchers[0]!.w.events[0]!.data.version as number;
  const answers = await Promise.all(tokens.map((t, i) => call('POST', '/reservations', t, { lot_id: lotId, vehicle_plate: `BL${round}X${i}` })));
  const booked = answers.filter((a) => a.status === 201).length;
  if (booked !== 10) throw new Error(`round ${round}: ${booked} bookings, expected 10`);
  await Promise.all(watchers.map(({ w }) => w.until((e) => e.filter((x) => x.type === 'availability').length >= 11, 30_000)));
  const { rows } = await db.query<{ t: number }>(
    'SELECT extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 AS t FROM reservations WHERE lot_id = $1 ORDER BY 1',
    [lotId],
  );
  const commits = rows.map((r) => Number(r.t)); // commits[j] made version first + j + 1
  for (const { kind, w } of watchers) {
    for (const e of w.events) {
      if (e.type !== 'availability' || e.data.version <= first) continue;
      delays[kind].push(wall(e.at) - commits[e.data.version - first - 1]!);
    }
    w.close();
  }
}
await db.end();
console.log(`\nDelay from commit to watcher, 50 watchers, 40-way race on 10 spots, ${ROUNDS} rounds (${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}):`);
console.log(`  WebSocket: ${summary(delays.websocket)}`);
console.log(`  SSE:       ${summary(delays.sse)}`);
console.log(`  all:       ${summary([...delays.websocket, ...delays.sse])}`);

console.log(`\nworkerd resident memory (VmRSS, MiB), after 30 s idle at each step, ${IDLE} WebSockets a lot:`);
ladder.forEach((x, step) => console.log(`  ${String(step * IDLE).padStart(5)} sockets: the Worker's workerd ${mib(x.worker)}, wrangler dev's proxy ${mib(x.proxy)}`));
console.log(`  per 1 000 (from ${IDLE} to ${STEPS * IDLE}): the Worker's workerd ${slope('worker')} MiB, wrangler dev's proxy ${slope('proxy')} MiB`);
await wrangler.stop();
await stack.stop();
await postgres.destroy();
process.exit(0);
