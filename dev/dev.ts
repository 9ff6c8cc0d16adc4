// npm run dev: the whole local edge in one command. It starts what is missing (a redis-server, the
// Upstash and Neon stand-ins, embedded PostgreSQL when no server answers), applies the migrations, seeds the
// admin and runs `wrangler dev` on http://127.0.0.1:8787. Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { RedisTarget } from './redis-rest/connection.ts';
import { startRedisRest, type RedisRestServer } from './redis-rest/server.ts';
import { adminCredentials } from './lib/admin.ts';
import { migrateDatabase, seedAdmin } from './lib/database.ts';
import { openDatabaseRoute } from './lib/database-route.ts';
import { onPath, portIsFree, redisAnswers } from './lib/probe.ts';
import { spawnRedisServer } from './lib/redis-server.ts';

const PORT = Number(process.env.PORT ?? 8787);
const REDIS_REST_PORT = 8788;
const NEON_HTTP_PORT = 8789;

const stops: (() => Promise<void>)[] = [];
const say = (line: string) => console.log(`[parkedge] ${line}`);

async function stopAll(): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop().catch((error) => say(`while stopping: ${error}`));
}

/** The Worker's Redis settings, after starting what is needed; empty when running without Redis. */
async function redisVars(): Promise<Record<string, string>> {
  const url = process.env.UPSTASH_REDIS_REST_URL?.trim();
  if (url) {
    const token = process.env.UPSTASH_REDIS_REST_TOKEN?.trim();
    if (!token) throw new Error('UPSTASH_REDIS_REST_URL is set without UPSTASH_REDIS_REST_TOKEN');
    say(`Redis: ${url} (UPSTASH_REDIS_REST_URL)`);
    return { UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: token };
  }
  let target: RedisTarget = {
    host: process.env.REDIS_HOST ?? '127.0.0.1',
    port: Number(process.env.REDIS_PORT ?? 6379),
    db: Number(process.env.REDIS_DB ?? 0),
  };
  if (!(await redisAnswers(target))) {
    const portFree = await portIsFree(target.port);
    const spawned = portFree ? await spawnRedisServer(target.port) : null;
    if (!spawned) {
      const why = !onPath('redis-server') ? 'redis-server is not installed' : `port ${target.port} is taken by something else`;
      say(`Redis: none answers at ${target.host}:${target.port} and ${why} — running WITHOUT Redis (no cache, rate limits or counters; /health/redis answers 503)`);
      return {};
    }
    stops.push(spawned.stop);
    target = { host: '127.0.0.1', port: spawned.port, db: target.db };
    say(`Redis: started redis-server on port ${spawned.port} (nothing kept on disk)`);
  }
  const token = randomBytes(24).toString('base64url');
  const restPort = (await portIsFree(REDIS_REST_PORT)) ? REDIS_REST_PORT : 0;
  const rest: RedisRestServer = await startRedisRest({ token, target, port: restPort });
  stops.push(rest.close);
  say(`Redis: ${target.host}:${target.port} db ${target.db}, behind the Upstash-compatible endpoint ${rest.url}`);
  return { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: token };
}

async function databaseVars(): Promise<Record<string, string>> {
  const route = await openDatabaseRoute(process.env, NEON_HTTP_PORT);
  stops.push(route.close);
  say(`Postgres: ${route.description}${route.server ? `, behind the Neon-compatible endpoint ${route.sqlEndpoint}` : ''}`);
  await migrateDatabase(route.databaseUrl);
  const admin = adminCredentials(process.env, !process.env.DATABASE_URL);
  const outcome = await seedAdmin(route.databaseUrl, admin.email, admin.password);
  say(`migrations applied; admin ${admin.email} ${outcome === 'created' ? 'created' : 'present'}`);
  return { DATABASE_URL: route.databaseUrl, ...(route.sqlEndpoint ? { NEON_HTTP_ENDPOINT: route.sqlEndpoint } : {}) };
}

function runWrangler(vars: Record<string, string>): Promise<number> {
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(PORT), '--var', 'ENVIRONMENT:development'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  // Its own process group, so that stopping it also stops the workerd it runs.
  const child = spawn('wrangler', args, {
    stdio: 'inherit',
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false' },
  });
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 0)));
  stops.push(async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });
  say(`http://127.0.0.1:${PORT} — Ctrl-C stops everything`);
  return exited;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    void stopAll().then(() => process.exit(0));
  });
}

try {
  const vars = { ...(await redisVars()), ...(await databaseVars()) };
  const code = await runWrangler(vars);
  if (!stopping) {
    await stopAll();
    process.exit(code);
  }
} catch (error) {
  say(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(1);
}
