// GET /health/redis for uptime monitors (one INFO, answered within 2 s even when Redis hangs) and GET /health
// for both parts. Never rate limited, never counted. Each probe's result is shared by the isolate's polls
// for a second (services/health/probes.ts), so a monitor costs at most one command per poll.
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../app-env.ts';
import { HealthSchema, MisconfiguredSchema, PartUnavailableSchema, RedisOkSchema } from '../schemas/health.ts';
import { checkPostgres, checkRedis, PROBE_TIMEOUT_MS, REUSE_MS } from '../services/health/probes.ts';

const misconfigured = 'or the Worker is misconfigured (`misconfigured`, naming each bad setting; every other route then answers 503 `service_misconfigured`)';

const redisRoute = createRoute({
  method: 'get',
  path: '/health/redis',
  tags: ['Health'],
  summary: 'Redis health: one INFO, its basic stats',
  description: `One Redis command (INFO) per poll at most: polls of an isolate within ${REUSE_MS} ms of an answer share it. Answers within 2 s even when Redis hangs (the probe gives up after ${PROBE_TIMEOUT_MS} ms). Never queries PostgreSQL.`,
  responses: {
    200: { description: 'Redis answers', content: { 'application/json': { schema: RedisOkSchema } } },
    503: {
      description: `Redis is unreachable, hanging or not configured (\`unavailable\`), ${misconfigured}`,
      content: { 'application/json': { schema: z.union([PartUnavailableSchema, MisconfiguredSchema]) } },
    },
  },
});

const overallRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Health'],
  summary: 'Redis and Postgres together',
  description: `\`ok\`: both answer. \`degraded\` (still 200): Redis is down, the API works without cache, limits and counters. \`down\` (503): PostgreSQL is down. One INFO and one \`SELECT 1\` at most per poll: polls of an isolate within ${REUSE_MS} ms of an answer share it.`,
  responses: {
    200: { description: 'The API can serve requests', content: { 'application/json': { schema: HealthSchema } } },
    503: {
      description: `PostgreSQL is unreachable (\`down\`), ${misconfigured}`,
      content: { 'application/json': { schema: z.union([HealthSchema, MisconfiguredSchema]) } },
    },
  },
});

export function registerHealth(app: OpenAPIHono<AppEnv>): void {
  app.openapi(redisRoute, async (c) => {
    const result = await checkRedis(c.var.deps);
    return result.status === 'ok' ? c.json(result, 200) : c.json(result, 503);
  });

  app.openapi(overallRoute, async (c) => {
    const [redis, postgres] = await Promise.all([checkRedis(c.var.deps), checkPostgres(c.var.deps)]);
    const redisPart = redis.status === 'ok' ? { status: redis.status, latency_ms: redis.latency_ms, checked_at: redis.checked_at } : redis;
    const status = postgres.status !== 'ok' ? 'down' : redis.status !== 'ok' ? 'degraded' : 'ok';
    return c.json({ status, redis: redisPart, postgres }, status === 'down' ? 503 : 200);
  });
}
