// The chaos suite's world: a private PostgreSQL (stopped and started by the Postgres scenario; the machine's
// shared server is never touched), a private redis-server keeping its data on disk (killed and restarted by
// the Redis scenario, as a durable Upstash database would come back), both behind their stand-ins, a seeded
// admin, and `wrangler dev` serving the Worker the way the browser tests run it.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { seedAdmin } from '../dev/lib/database.ts';
import { postgresAnswers } from '../dev/lib/probe.ts';
import { PrivatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../dev/lib/private-postgres.ts';
import { startStack, type Stack } from '../dev/lib/stack.ts';
import { RedisConnection } from '../dev/redis-rest/connection.ts';
import type { Fault } from '../dev/lib/control.ts';
import { startWranglerDev, type WranglerDev } from '../test/browser/setup/wrangler-dev.ts';

export const ARTIFACTS = new URL('../test/artifacts/', import.meta.url).pathname;

/** The Worker's settings under test: the defaults of wrangler.toml (as built), but for the hourly limits. */
export const SETTINGS = { redisTimeoutMs: 800, redisCooldownMs: 5000, databaseTimeoutMs: 5000 } as const;

export interface Account {
  id: number;
  email: string;
  password: string;
  token: string;
}

export interface World {
  origin: string;
  stack: Stack;
  /** The private server, or null when none could run here (then `noPrivatePostgres` says why). */
  postgres: PrivatePostgres | null;
  noPrivatePostgres: string | null;
  postgresKind: Stack['postgresKind'];
  /** Direct SQL on the Worker's database, for invariants and snapshots (never through the Worker). */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** A direct connection to the redis-server behind the stand-in (reconnects after a restart). */
  redis(command: string[]): Promise<unknown>;
  /** Several commands in one go on that connection. */
  redisMany(commands: string[][]): Promise<unknown[]>;
  admin: Account;
  /** The `wrangler dev` serving `origin`. */
  wrangler: WranglerDev;
  /** Another `wrangler dev` on the same stack, with some bindings changed (stopped with the world). */
  startWorker(vars: Record<string, string>, logName: string): Promise<WranglerDev>;
  setRedisFault(fault: Fault): Promise<void>;
  stop(): Promise<void>;
}

/** The Worker's bindings on this world's stack: the settings under test, the rate limits raised. */
function workerVars(stack: Stack): Record<string, string> {
  return {
    ENVIRONMENT: 'development',
    UPSTASH_REDIS_REST_URL: stack.redisRest.url,
    UPSTASH_REDIS_REST_TOKEN: stack.redisToken,
    DATABASE_URL: stack.databaseUrl,
    NEON_HTTP_ENDPOINT: stack.neonHttp.sqlEndpoint,
    REDIS_TIMEOUT_MS: String(SETTINGS.redisTimeoutMs),
    REDIS_COOLDOWN_MS: String(SETTINGS.redisCooldownMs),
    DATABASE_TIMEOUT_MS: String(SETTINGS.databaseTimeoutMs),
    // The load comes from one IP and a few accounts: the hourly limits would refuse it after a minute.
    // They still run (a Redis round trip, the windows' keys), which is what the outages are about.
    RATE_LIMIT_PER_HOUR: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_HOUR: '1000000',
  };
}

export async function startWorld(log: (line: string) => void, options: { workerLog?: string; vars?: Record<string, string> } = {}): Promise<World> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((error) => log(`while stopping: ${error}`));
  };
  try {
    let postgres: PrivatePostgres | null = null;
    let noPrivatePostgres: string | null = null;
    try {
      postgres = await startPrivatePostgres(log);
      stops.push(() => postgres!.destroy());
    } catch (error) {
      if (!(error instanceof PrivatePostgresUnavailable)) throw error;
      noPrivatePostgres = error.message;
      log(`no private PostgreSQL: ${error.message}`);
    }
    // Without a private server: a database of its own on the shared one (never stopped), or embedded PGlite.
    const server = postgres?.serverUrl ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
    const databaseUrl = new URL(server);
    databaseUrl.pathname = `/parkedge_chaos_${process.pid}_${Date.now().toString(36)}`;

    const redisDir = await mkdtemp(path.join(os.tmpdir(), 'parkedge-redis-'));
    stops.push(() => rm(redisDir, { recursive: true, force: true }));
    const stack = await startStack({
      redis: { host: '127.0.0.1', port: 6379, db: 13 },
      privateRedis: true,
      redisDataDir: redisDir,
      databaseUrl: databaseUrl.toString(),
      recreateDatabase: true,
      flushRedis: true,
      redisToken: randomBytes(18).toString('base64url'),
      log,
    });
    stops.push(stack.stop);
    if (stack.postgresKind === 'pglite') {
      throw new Error(`the chaos suite needs PostgreSQL (bookings race, invariants are read in SQL), and none runs here: ${noPrivatePostgres}; nor does one answer on 127.0.0.1:5432`);
    }
    if (!stack.redisServer) throw new Error('the chaos suite needs redis-server installed (it kills and restarts its own)');
    if (!postgres) {
      stops.push(async () => {
        const { dropDatabase } = await import('../dev/lib/database.ts');
        if (await postgresAnswers(server)) await dropDatabase(stack.databaseUrl);
      });
    }

    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 4, connectionTimeoutMillis: 3000 });
    pool.on('error', () => {}); // an idle client lost its server (the Postgres scenario): the pool replaces it
    stops.push(() => pool.end());
    let connection: RedisConnection | null = null;
    stops.push(async () => connection?.close());
    const redisMany = async (commands: string[][]) => {
      if (!connection || connection.broken) {
        connection = new RedisConnection(stack.redisTarget, 2000);
        await connection.ready;
      }
      return connection.sendMany(commands);
    };
    const redis = async (command: string[]) => (await redisMany([command]))[0];

    const adminLogin = { email: 'admin@parkedge.local', password: randomBytes(12).toString('base64url') };
    await seedAdmin(stack.databaseUrl, adminLogin.email, adminLogin.password);

    await mkdir(ARTIFACTS, { recursive: true });
    const startWorker = async (extraVars: Record<string, string>, logName: string): Promise<WranglerDev> => {
      const worker = await startWranglerDev({ ...workerVars(stack), ...extraVars }, `${ARTIFACTS}${logName}`);
      stops.push(worker.stop);
      return worker;
    };
    const workerLog = options.workerLog ?? 'chaos-wrangler-dev.log';
    const wrangler = await startWorker(options.vars ?? {}, workerLog);
    log(`wrangler dev answers at ${wrangler.origin} (log: test/artifacts/${workerLog})`);

    const login = await fetch(`${wrangler.origin}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(adminLogin) });
    const signedIn = (await login.json()) as { token: string; user: { id: number } };
    if (login.status !== 200) throw new Error(`the seeded admin cannot sign in: ${login.status} ${JSON.stringify(signedIn)}`);

    return {
      origin: wrangler.origin,
      stack,
      postgres,
      noPrivatePostgres,
      postgresKind: stack.postgresKind,
      sql: async (text, values = []) => (await pool.query(text, values)).rows,
      redis,
      redisMany,
      admin: { ...adminLogin, id: signedIn.user.id, token: signedIn.token },
      wrangler,
      startWorker,
      setRedisFault: async (fault) => {
        const res = await fetch(`${stack.redisRest.url}/__control/config`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.redisToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ fault }),
        });
        if (res.status !== 200) throw new Error(`the Upstash stand-in refused the fault ${fault}: ${res.status} ${await res.text()}`);
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
