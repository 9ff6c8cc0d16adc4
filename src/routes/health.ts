// GET /health/redis for uptime monitors (a PING and basic stats, answered within the Redis timeout even
// when Redis hangs) and GET /health for both parts. Never rate limited, never counted.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import type { AppEnv } from '../app-env.ts';
import type { Deps } from '../deps.ts';
import { raw } from '../redis/gateway.ts';
import { infoNumber, parseInfo } from '../redis/info.ts';

const RedisStats = z.object({
  version: z.string().nullable(),
  uptime_seconds: z.number().nullable(),
  connected_clients: z.number().nullable(),
  used_memory_bytes: z.number().nullable(),
  keys: z.number(),
});

const RedisOk = z.object({ status: z.literal('ok'), latency_ms: z.number(), redis: RedisStats }).openapi('RedisHealth');
const Unavailable = z.object({ status: z.literal('unavailable'), error: z.string() }).openapi('PartUnavailable');


/** The contract: /health/redis answers within 2 s even when Redis hangs, whatever REDIS_TIMEOUT_MS says. */
const PROBE_TIMEOUT_MS = 1500;

export async function checkRedis(deps: Deps) {
  if (!deps.gateway.configured) return { status: 'unavailable' as const, error: 'Redis is not configured' };
  const started = Date.now();
  try {
    const [ping, size, info] = await deps.gateway.probe((p) => raw(p.ping().dbsize(), ['INFO']), PROBE_TIMEOUT_MS);
    if (ping?.error || ping?.result !== 'PONG') throw new Error(ping?.error ?? 'PING did not answer PONG');
    const fields = parseInfo(typeof info?.result === 'string' ? info.result : '');
    return {
      status: 'ok' as const,
      latency_ms: Date.now() - started,
      redis: {
        version: fields.get('redis_version') ?? null,
        uptime_seconds: infoNumber(fields, 'uptime_in_seconds'),
        connected_clients: infoNumber(fields, 'connected_clients'),
        used_memory_bytes: infoNumber(fields, 'used_memory'),
        keys: Number(size?.result ?? 0),
      },
    };
  } catch (error) {
    return { status: 'unavailable' as const, error: error instanceof Error ? error.message : String(error) };
  }
}

async function checkPostgres(deps: Deps) {
  const started = Date.now();
  try {
    await deps.db.execute(sql`SELECT 1`);
    return { status: 'ok' as const, latency_ms: Date.now() - started };
  } catch {
    return { status: 'unavailable' as const, error: 'PostgreSQL did not answer' };
  }
}

const redisRoute = createRoute({
  method: 'get',
  path: '/health/redis',
  tags: ['Health'],
  summary: 'Redis health: a PING and basic stats',
  responses: {
    200: { description: 'Redis answers', content: { 'application/json': { schema: RedisOk } } },
    503: { description: 'Redis is unreachable, hanging or not configured', content: { 'application/json': { schema: Unavailable } } },
  },
});

const Part = z.object({ status: z.enum(['ok', 'unavailable']), latency_ms: z.number().optional(), error: z.string().optional() });
const Overall = z
  .object({ status: z.enum(['ok', 'degraded', 'down']), redis: Part, postgres: Part })
  .openapi('Health');

const overallRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Health'],
  summary: 'Redis and Postgres together',
  description:
    '`ok`: both answer. `degraded` (still 200): Redis is down, the API works without cache, limits and counters. `down` (503): PostgreSQL is down.',
  responses: {
    200: { description: 'The API can serve requests', content: { 'application/json': { schema: Overall } } },
    503: { description: 'PostgreSQL is unreachable', content: { 'application/json': { schema: Overall } } },
  },
});

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(redisRoute, async (c) => {
    const result = await checkRedis(c.var.deps);
    return result.status === 'ok' ? c.json(result, 200) : c.json(result, 503);
  });

  app.openapi(overallRoute, async (c) => {
    const [redis, postgres] = await Promise.all([checkRedis(c.var.deps), checkPostgres(c.var.deps)]);
    const redisPart = redis.status === 'ok' ? { status: redis.status, latency_ms: redis.latency_ms } : redis;
    const status = postgres.status !== 'ok' ? 'down' : redis.status !== 'ok' ? 'degraded' : 'ok';
    return c.json({ status, redis: redisPart, postgres }, status === 'down' ? 503 : 200);
  });
}
