// npm run bench — the API under load on a local stack with simulated distance: the chaos suite's world
// (chaos/world.ts: a private PostgreSQL and redis-server behind the stand-ins, `wrangler dev`), a seeded data set
// (bench/seed-scale.ts: 200 lots, 2 000 users, 20 000 past reservations), every scenario measured in three
// configurations in the same run — as built, Redis off (the Upstash stand-in refusing), batching off (a second
// `wrangler dev` with REDIS_BATCHING=off) — then where the CPU goes and the bundle. Prints markdown tables.
// Settings: BENCH_SECONDS (6 measured per scenario and configuration, over BENCH_ROUNDS = 3 runs that alternate
// the configurations), BENCH_WARM_SECONDS (1 before each run), BENCH_CONNECTIONS (8), BENCH_REDIS_DELAY_MS (20),
// BENCH_POSTGRES_DELAY_MS (30), BENCH_STARTUP_RUNS (3).
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { call } from '../chaos/fixtures.ts';
import { startWorld } from '../chaos/world.ts';
import { measureBundle } from './load/bundle.ts';
import { postgresClock, processClock, selfClock, workerdClock, type CpuClock } from './load/cpu.ts';
import { measure, merge, redisBack, type Bench, type Configuration, type Measured } from './load/measure.ts';
import { SCENARIOS, type BenchData, type Caller } from './load/scenarios.ts';
import { bundleTable, claimsTable, cpuTable, find, scenarioTable, type CpuRow } from './load/tables.ts';
import { keys } from '../src/redis/keys.ts';
import { SCALE_PASSWORD, seedScale } from './seed-scale.ts';

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0`);
  return value;
};
const SECONDS = setting('BENCH_SECONDS', 6);
const ROUNDS = Math.max(1, Math.round(setting('BENCH_ROUNDS', 3)));
const WARM_SECONDS = setting('BENCH_WARM_SECONDS', 1);
const CONNECTIONS = setting('BENCH_CONNECTIONS', 8);
const REDIS_DELAY_MS = setting('BENCH_REDIS_DELAY_MS', 20);
const POSTGRES_DELAY_MS = setting('BENCH_POSTGRES_DELAY_MS', 30);
const STARTUP_RUNS = setting('BENCH_STARTUP_RUNS', 3);
// BENCH_ONLY=list,cycle: only the scenarios whose names contain one of these words.
const ONLY = process.env.BENCH_ONLY?.split(',').map((word) => word.trim()).filter(Boolean);
const scenarios = SCENARIOS.filter((name) => !ONLY || ONLY.some((word) => name.includes(word)));

const started = Date.now();
const log = (line: string) => console.log(`[bench] ${line}`);
// BENCH_REDIS_TIMEOUT_MS: the Worker's REDIS_TIMEOUT_MS, as built (800) unless set.
const workerVars: Record<string, string> = process.env.BENCH_REDIS_TIMEOUT_MS ? { REDIS_TIMEOUT_MS: process.env.BENCH_REDIS_TIMEOUT_MS } : {};
const world = await startWorld(log, { workerLog: 'bench-wrangler-dev.log', vars: workerVars });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void world.stop().finally(() => process.exit(130)));

const results: Measured[] = [];
let login: Measured | null = null;
try {
  const unbatched = await world.startWorker({ ...workerVars, REDIS_BATCHING: 'off' }, 'bench-wrangler-dev-unbatched.log');
  log(`batching off: a second wrangler dev at ${unbatched.origin}`);
  const seeded = await seedScale(world.stack.databaseUrl, { users: 2000, lots: 200, spots: 10_000, reservations: 20_200, days: 90, activeShare: 0.02 });
  log(`seeded ${seeded.sizes.lots} lots, ${seeded.sizes.users} users, ${seeded.sizes.reservations - seeded.activeReservations} past and ${seeded.activeReservations} running reservations in ${seeded.seconds} s`);

  const signIn = async (email: string): Promise<Caller> => {
    const res = await call<{ token: string; user: { id: number } }>(world.origin, 'POST', '/auth/login', { body: { email, password: SCALE_PASSWORD } });
    if (res.status !== 200 || !res.body) throw new Error(`sign-in of ${email}: ${res.status} ${res.text}`);
    return { id: res.body.user.id, token: res.body.token };
  };
  // Drivers hold no running reservation (one active per user): they come from the users the seed left free.
  const free = await world.sql(
    `SELECT email FROM users u WHERE role = 'user' AND id >= $1 AND NOT EXISTS (SELECT 1 FROM reservations r WHERE r.user_id = u.id AND r.status IN ('reserved', 'parked')) ORDER BY id LIMIT 140`,
    [seeded.firstUserId],
  );
  const emails = free.map((row) => String(row.email));
  const lots = Array.from({ length: seeded.sizes.lots }, (_, i) => seeded.firstLotId + i);
  const data: BenchData = {
    lots,
    busyLots: lots.slice(0, 20),
    admin: await signIn(seeded.adminEmail),
    readers: await Promise.all(emails.slice(0, 20).map(signIn)),
    drivers: await Promise.all(emails.slice(20, 20 + Math.max(40, CONNECTIONS * 4)).map(signIn)),
    userIds: Array.from({ length: 200 }, (_, i) => seeded.firstUserId + i * 10),
    logins: emails.slice(-20).map((email) => ({ email, password: SCALE_PASSWORD })),
  };

  // The cache as a running service has it: every lot, the list and the users the admin reads, read until cached
  // (a read whose Redis round trip outlasts REDIS_TIMEOUT_MS on a busy machine opens the breaker and fills nothing).
  const entries = [...lots.map((id) => [`/parking-lots/${id}`, keys.lot(id)]), ['/parking-lots', keys.lotsAll], ...data.userIds.map((id) => [`/users/${id}`, keys.user(id)])];
  for (let pass = 0; pass < 5; pass += 1) {
    const cachedNow = (await world.redisMany(entries.map(([, key]) => ['EXISTS', key!]))) as number[];
    const missing = entries.filter((_, i) => cachedNow[i] !== 1).map(([path]) => path!);
    if (missing.length === 0) break;
    log(`warming the cache: ${missing.length} of ${entries.length} entries to fill`);
    await redisBack(world.origin);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let path = missing.pop(); path; path = missing.pop()) await call(world.origin, 'GET', path, { token: data.admin.token });
      }),
    );
  }

  for (const [name, url, token] of [['redis', world.stack.redisRest.url, world.stack.redisToken], ['neon', world.stack.neonHttp.url, '']] as const) {
    const res = await fetch(`${url}/__control/config`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify({ delay_ms: name === 'redis' ? REDIS_DELAY_MS : POSTGRES_DELAY_MS }) });
    if (!res.ok) throw new Error(`the ${name} stand-in refused the delay: ${await res.text()}`);
  }
  log(`simulated distance: Redis ${REDIS_DELAY_MS} ms, Postgres ${POSTGRES_DELAY_MS} ms per request; ${CONNECTIONS} connections, ${ROUNDS} × (${WARM_SECONDS} s warm-up + ${SECONDS / ROUNDS} s) per scenario and configuration`);

  const driver = fork(new URL('./load/driver.ts', import.meta.url).pathname, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const clocks: CpuClock[] = [
    workerdClock('worker', world.wrangler.pid),
    workerdClock('worker unbatched', unbatched.pid),
    processClock('wrangler', world.wrangler.pid),
    selfClock('stand-ins'),
    processClock('load generator', driver.pid!),
    ...(world.stack.redisServer ? [processClock('redis-server', world.stack.redisServer.process.pid!)] : []),
    ...(world.postgres ? [postgresClock('postgres', world.postgres.dataDir)] : []),
  ];
  const bench: Bench = { world, driver, data, connections: CONNECTIONS, warmMs: WARM_SECONDS * 1000, durationMs: (SECONDS * 1000) / ROUNDS, clocks };
  const add = (m: Measured) => {
    const i = results.findIndex((r) => r.scenario === m.scenario && r.configuration === m.configuration);
    if (i < 0) results.push(m);
    else results[i] = merge(results[i], m);
  };
  try {
    for (const scenario of scenarios) {
      // As built and batching off with Redis up, then Redis off (the next scenario waits for Redis to be back).
      for (let round = 0; round < ROUNDS; round += 1) {
        await redisBack(world.origin);
        await redisBack(unbatched.origin);
        add(await measure(bench, scenario, 'as built', world.origin));
        add(await measure(bench, scenario, 'batching off', unbatched.origin));
        await world.setRedisFault('refuse');
        add(await measure(bench, scenario, 'Redis off', world.origin));
        await world.setRedisFault('none');
      }
      const m = find(results, scenario, 'as built')!;
      log(`${scenario}: ${Math.round(m.requests / m.seconds)} req/s as built (${Math.round((Date.now() - started) / 1000)} s so far)`);
    }
    await redisBack(world.origin);
    login = await measure({ ...bench, durationMs: (SECONDS * 1000) / ROUNDS }, 'login', 'as built', world.origin, 2);
  } finally {
    driver.disconnect();
  }
} finally {
  await world.stop();
}

// Size and startup after the load (nothing else of the run competes for the CPU then).
const configuredMinify = /^minify\s*=\s*true/m.test(readFileSync(new URL('../wrangler.toml', import.meta.url), 'utf8'));
const bundles = [await measureBundle(false, STARTUP_RUNS), await measureBundle(true, STARTUP_RUNS)];

const workerClock = (configuration: Configuration) => (configuration === 'batching off' ? 'worker unbatched' : 'worker');
console.log(`\n## Under load: Redis ${REDIS_DELAY_MS} ms and Postgres ${POSTGRES_DELAY_MS} ms away, ${CONNECTIONS} connections, ${SECONDS} s per scenario and configuration\n`);
console.log(scenarioTable(results));
console.log('\n### The design\'s claims, measured\n');
console.log(claimsTable(results));
console.log('\n## Where the CPU goes (CPU ms per request, as built unless named)\n');
const cpuRows: CpuRow[] = scenarios.map((scenario) => ({
  label: scenario,
  built: find(results, scenario, 'as built')!,
  others: { 'Redis off': find(results, scenario, 'Redis off'), 'batching off': find(results, scenario, 'batching off') },
}));
if (login) cpuRows.push({ label: 'POST /auth/login (2 connections)', built: login, others: {} });
console.log(cpuTable(cpuRows, workerClock));
console.log('');
console.log(bundleTable(bundles, configuredMinify));
console.log(`\n${results.length + (login ? 1 : 0)} runs in ${Math.round((Date.now() - started) / 1000)} s`);
