// Builds the request's dependencies. When the Worker's settings are wrong nothing can be built: the health
// checks answer 503 `misconfigured` naming the bad settings (operators and monitors look there), every other
// route 503 `service_misconfigured` with a generic sentence. The reason is logged once per isolate.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { makeDeps } from '../deps.ts';
import { Misconfiguration } from '../env.ts';
import { AppError } from '../errors.ts';
import type { Misconfigured } from '../schemas/health.ts';
import { sendError } from './errors.ts';

/** The paths whose answer is a status report rather than the API's envelope. */
export const HEALTH_PATHS = new Set(['/health', '/health/redis']);

const logged = new Set<string>();

function logOnce(problem: Misconfiguration): void {
  if (logged.has(problem.message)) return;
  logged.add(problem.message);
  console.error(JSON.stringify({ level: 'error', msg: 'invalid Worker configuration', problems: problem.problems }));
}

/** What /health and /health/redis answer when the settings are wrong. */
export function misconfiguredReport(problem: Misconfiguration): Misconfigured {
  return { status: 'misconfigured' as const, error: problem.problems.join('; '), problems: problem.problems };
}

function refuse(c: Context<AppEnv>, problem: Misconfiguration): Response {
  logOnce(problem);
  c.header('Cache-Control', 'no-store');
  if (HEALTH_PATHS.has(c.req.path) && (c.req.method === 'GET' || c.req.method === 'HEAD')) return c.json(misconfiguredReport(problem), 503);
  return sendError(c, new AppError('service_misconfigured', 'The service is misconfigured and cannot answer requests now; the reason is in its log.'));
}

export const deps = createMiddleware<AppEnv>(async (c, next) => {
  try {
    c.set('deps', makeDeps(c.env));
  } catch (error) {
    if (error instanceof Misconfiguration) return refuse(c, error);
    throw error;
  }
  await next();
});
