// After the response: the request's counters and its deferred cache work leave together through
// executionCtx.waitUntil, so they cost the caller no time and Redis one pipeline.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { counters } from '../redis/keys.ts';

/** The API counters of one answered request. */
export function apiCounters(endpoint: string | undefined, status: number): string[] {
  const names: string[] = [counters.totalApiCalls, counters.responseCode(status)];
  if (endpoint) {
    names.push(counters.endpoint(endpoint));
    if (endpoint.startsWith('GET /users')) names.push(counters.usersGet);
    if (endpoint.startsWith('GET /parking-lots')) names.push(counters.parkingLotsGet);
  }
  return names;
}

export const afterResponse = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const deps = c.var.deps;
  // For the round-trip budget test and benchmark: how many Redis round trips the caller waited for.
  if (deps.config.environment === 'development') c.header('X-Redis-Round-Trips', String(deps.redis.roundTrips));
  // Uptime monitors poll /health every few seconds: counting them would drown the API's own figures.
  const isHealth = c.req.path === '/health' || c.req.path.startsWith('/health/');
  if (!isHealth) for (const counter of apiCounters(c.var.endpoint, c.res.status)) deps.request.count(counter);
  if (deps.request.pending) c.executionCtx.waitUntil(deps.request.flush(deps.redis));
});
