// After the response: the request's counters and its deferred cache work leave together through
// executionCtx.waitUntil, so they cost the caller no time and Redis one pipeline.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import type { Deps } from '../deps.ts';
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

/** Increments `counts` (a name may repeat) and runs the deferred work, all queued in one tick. */
export function flushAfterResponse(deps: Deps): Promise<unknown> {
  const tally = new Map<string, number>();
  for (const name of deps.counts) tally.set(name, (tally.get(name) ?? 0) + 1);
  deps.counts.length = 0;
  const work = deps.afterResponse.splice(0).map((run) => run());
  const increments = [...tally].map(([name, by]) => deps.redis.incrementCounter(name, by));
  return Promise.allSettled([...work, ...increments]);
}

export const afterResponse = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const deps = c.var.deps;
  // For the round-trip budget test and benchmark: how many Redis round trips the caller waited for.
  if (deps.config.environment === 'development') c.header('X-Redis-Round-Trips', String(deps.gateway.roundTrips));
  // Uptime monitors poll /health every few seconds: counting them would drown the API's own figures.
  const isHealth = c.req.path === '/health' || c.req.path.startsWith('/health/');
  if (!isHealth) deps.counts.push(...apiCounters(c.var.endpoint, c.res.status));
  if (deps.counts.length === 0 && deps.afterResponse.length === 0) return;
  c.executionCtx.waitUntil(flushAfterResponse(deps));
});
