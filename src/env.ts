// The Worker's bindings and the settings read from them, validated once per isolate.
import { z } from 'zod';

export interface Env {
  /** Upstash REST URL of the Redis database. Unset: the API runs without Redis (no cache, limits or counters). */
  UPSTASH_REDIS_REST_URL?: string;
  /** Upstash REST token (a secret). */
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** PostgreSQL connection string (Neon in production; a secret). */
  DATABASE_URL: string;
  /** Local only: the Neon-compatible HTTP `/sql` endpoint (the stand-in). Unset in production: Neon's own. */
  NEON_HTTP_ENDPOINT?: string;
  /** `production` or `development`; development allows the insecure local defaults. */
  ENVIRONMENT?: string;
  /** Requests per hour per signed-in user per endpoint (default 50). */
  RATE_LIMIT_PER_HOUR?: string;
  /** Requests per hour per client IP per endpoint for anonymous callers (default 100). */
  RATE_LIMIT_ANONYMOUS_PER_HOUR?: string;
  /** Failed sign-ins per 15 minutes per client IP and email (default 10). */
  LOGIN_FAILURES_PER_15_MIN?: string;
  /** How long one Redis round trip may take before it counts as failed (default 800 ms). */
  REDIS_TIMEOUT_MS?: string;
  /** How long the app stops calling Redis after a failure (default 5000 ms). */
  REDIS_COOLDOWN_MS?: string;
  /** How long one Postgres round trip may take before the request answers 503 (default 5000 ms). */
  DATABASE_TIMEOUT_MS?: string;
}

const number = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const configSchema = z.object({
  redisUrl: z.url().optional(),
  redisToken: z.string().min(1).optional(),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string'),
  neonHttpEndpoint: z.url().optional(),
  environment: z.enum(['production', 'development']).default('production'),
  rateLimitPerHour: number(50, 1, 1_000_000),
  rateLimitAnonymousPerHour: number(100, 1, 1_000_000),
  loginFailuresPer15Min: number(10, 1, 10_000),
  redisTimeoutMs: number(800, 50, 10_000),
  redisCooldownMs: number(5000, 100, 600_000),
  databaseTimeoutMs: number(5000, 100, 60_000),
});

export type Config = z.infer<typeof configSchema>;

const blankToUndefined = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value);

const cache = new WeakMap<Env, Config>();

/** Reads the settings from the bindings; throws with every problem listed when they are wrong. */
export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = configSchema.safeParse({
    redisUrl: blankToUndefined(env.UPSTASH_REDIS_REST_URL),
    redisToken: blankToUndefined(env.UPSTASH_REDIS_REST_TOKEN),
    databaseUrl: env.DATABASE_URL,
    neonHttpEndpoint: blankToUndefined(env.NEON_HTTP_ENDPOINT),
    environment: blankToUndefined(env.ENVIRONMENT),
    rateLimitPerHour: blankToUndefined(env.RATE_LIMIT_PER_HOUR),
    rateLimitAnonymousPerHour: blankToUndefined(env.RATE_LIMIT_ANONYMOUS_PER_HOUR),
    loginFailuresPer15Min: blankToUndefined(env.LOGIN_FAILURES_PER_15_MIN),
    redisTimeoutMs: blankToUndefined(env.REDIS_TIMEOUT_MS),
    redisCooldownMs: blankToUndefined(env.REDIS_COOLDOWN_MS),
    databaseTimeoutMs: blankToUndefined(env.DATABASE_TIMEOUT_MS),
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid Worker configuration: ${problems}`);
  }
  cache.set(env, parsed.data);
  return parsed.data;
}
