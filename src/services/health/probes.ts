// The two health probes, each one command, each shared by the polls of an isolate (shared-probe.ts).
//
// Redis: INFO alone. Its default sections carry the version, uptime, clients and memory, and the keyspace
// section one line per database with its key count (Upstash answers the same sections, with one database,
// db0), so one command tells both that Redis answers and what it holds. The probe goes through the gateway,
// so its outcome opens or closes the circuit breaker for every request of the isolate.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { raw } from '../../redis/gateway.ts';
import { infoNumber, keysPerDb, parseInfo } from '../../redis/info.ts';
import type { PostgresHealth, RedisHealth } from '../../schemas/health.ts';
import { shared } from './shared-probe.ts';

/** The contract: /health/redis answers within 2 s even when Redis hangs, whatever REDIS_TIMEOUT_MS says. */
export const PROBE_TIMEOUT_MS = 1500;

/**
 * How long a result answers further polls: one second. Long enough that a burst (several monitors or
 * regions polling together, a retry) costs one command; short enough that every monitor polling every 5 s
 * or more still gets an answer that is fresh for its poll, and an outage shows at the next poll.
 */
export const REUSE_MS = 1000;

const unavailable = (error: string) => ({ status: 'unavailable' as const, error, checked_at: new Date().toISOString() });

async function probeRedis(deps: Deps): Promise<RedisHealth> {
  const started = Date.now();
  try {
    const [info] = await deps.redis.gateway.probe((p) => raw(p, ['INFO']), PROBE_TIMEOUT_MS);
    if (info?.error || typeof info?.result !== 'string') throw new Error(info?.error ?? 'INFO did not answer');
    const fields = parseInfo(info.result);
    return {
      status: 'ok',
      latency_ms: Date.now() - started,
      checked_at: new Date(started).toISOString(),
      redis: {
        version: fields.get('redis_version') ?? null,
        uptime_seconds: infoNumber(fields, 'uptime_in_seconds'),
        connected_clients: infoNumber(fields, 'connected_clients'),
        used_memory_bytes: infoNumber(fields, 'used_memory'),
        keys: Object.values(keysPerDb(fields)).reduce((sum, n) => sum + n, 0),
      },
    };
  } catch (error) {
    return unavailable(error instanceof Error ? error.message : String(error));
  }
}

export function checkRedis(deps: Deps): Promise<RedisHealth> {
  const { redisUrl, redisToken } = deps.config;
  if (!redisUrl) return Promise.resolve(unavailable('Redis is not configured'));
  return shared(`redis ${redisUrl} ${redisToken}`, () => probeRedis(deps), {
    reuseMs: REUSE_MS,
    budgetMs: PROBE_TIMEOUT_MS,
    late: () => unavailable(`Redis did not answer within ${PROBE_TIMEOUT_MS} ms`),
  });
}

async function probePostgres(deps: Deps): Promise<PostgresHealth> {
  const started = Date.now();
  try {
    await deps.db.execute(sql`SELECT 1`);
    return { status: 'ok', latency_ms: Date.now() - started, checked_at: new Date(started).toISOString() };
  } catch {
    return unavailable('PostgreSQL did not answer');
  }
}

export function checkPostgres(deps: Deps): Promise<PostgresHealth> {
  const { databaseUrl, neonHttpEndpoint, databaseTimeoutMs } = deps.config;
  return shared(`postgres ${databaseUrl} ${neonHttpEndpoint ?? ''}`, () => probePostgres(deps), {
    reuseMs: REUSE_MS,
    budgetMs: databaseTimeoutMs,
    late: () => unavailable('PostgreSQL did not answer'),
  });
}
