// The Worker's bindings and the settings read from them, validated once per isolate. A bad setting is named
// by its binding (`RATE_LIMIT_PER_HOUR must be an integer from 1 to 1000000`), never by its value (some are
// secrets), so that /health can tell the operator what to fix.
import { z } from 'zod';
import { DEFAULT_LIMITS as LIVE } from './objects/lot-live/limits.ts';

/** The bindings, as `npm run types` generates them from wrangler.toml (worker-configuration.d.ts); each is
 * described there. Secrets and settings may still be missing or blank at run time: they are validated here. */
export type Env = Cloudflare.Env;

const integer = (fallback: number, min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback);
};

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Each setting under the name of the binding it comes from. */
const bindingsSchema = z.object({
  UPSTASH_REDIS_REST_URL: url.optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().optional(),
  DATABASE_URL: z.string({ error: 'must be set' }).regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// connection string' }),
  NEON_HTTP_ENDPOINT: url.optional(),
  ENVIRONMENT: z.enum(['production', 'development'], { error: 'must be production or development' }).default('production'),
  RATE_LIMIT_PER_HOUR: integer(50, 1, 1_000_000),
  RATE_LIMIT_ANONYMOUS_PER_HOUR: integer(100, 1, 1_000_000),
  LOGIN_FAILURES_PER_15_MIN: integer(10, 1, 10_000),
  REDIS_TIMEOUT_MS: integer(800, 50, 10_000),
  REDIS_COOLDOWN_MS: integer(5000, 100, 600_000),
  DATABASE_TIMEOUT_MS: integer(5000, 100, 60_000),
  // The platform refuses the 51st subrequest of an invocation on the free plan, the 1 001st on the paid one. With
  // fewer than 21, some step of the daily job could never do a piece of work (jobs/scheduled.ts).
  DAILY_JOB_SUBREQUESTS: integer(45, 21, 10_000),
  // The live stream's bounds (objects/lot-live/limits.ts). Settable so that tests see a lifetime end in seconds.
  LIVE_MAX_PER_LOT: integer(LIVE.perLot, 1, 32_768),
  LIVE_MAX_PER_IP: integer(LIVE.perIp, 1, 32_768),
  LIVE_MAX_LIFETIME_MS: integer(LIVE.maxLifetimeMs, 1000, 86_400_000),
  LIVE_IDLE_MS: integer(LIVE.idleMs, 1000, 86_400_000),
  LIVE_HEARTBEAT_MS: integer(LIVE.heartbeatMs, 500, 600_000),
  // Only `npm run bench` sets `off`: the cost of sending each command alone, as a typical Upstash app does.
  REDIS_BATCHING: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  WEBHOOK_RETRY_BASE_SECONDS: integer(30, 1, 3600),
  WEBHOOK_TIMEOUT_MS: integer(10_000, 100, 30_000),
  WEBHOOK_DISABLE_AFTER: integer(5, 1, 1000),
  // How long a freed spot is held for the head of a lot's waitlist (at most a day: the column's check).
  WAITLIST_HOLD_SECONDS: integer(300, 1, 86_400),
});

type Bindings = z.infer<typeof bindingsSchema>;

export interface Config {
  redisUrl?: string;
  redisToken?: string;
  databaseUrl: string;
  neonHttpEndpoint?: string;
  environment: 'production' | 'development';
  rateLimitPerHour: number;
  rateLimitAnonymousPerHour: number;
  loginFailuresPer15Min: number;
  redisTimeoutMs: number;
  redisCooldownMs: number;
  databaseTimeoutMs: number;
  /** What one run of the daily job may spend in subrequests (jobs/budget.ts). */
  dailyJobSubrequests: number;
  /** The bounds of a lot's live stream (objects/lot-live/limits.ts). */
  live: { perLot: number; perIp: number; maxLifetimeMs: number; idleMs: number; heartbeatMs: number };
  /** Commands queued in one tick leave in one pipeline (on), or each in a round trip of its own (off). */
  redisBatching: boolean;
  /** Webhook deliveries (services/webhooks/): the first retry delay (doubled per attempt), the receiver's time
   * to answer, and the dead-lettered deliveries in a row that disable a webhook. */
  webhooks: { retryBaseSeconds: number; timeoutMs: number; disableAfter: number };
  /** How long an offer to the head of a waitlist holds its spot (stored with each entry as it joins). */
  waitlistHoldSeconds: number;
}

/** The Worker cannot run with these settings. `problems` name bindings and rules only, never values. */
export class Misconfiguration extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid Worker configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

function toConfig(b: Bindings): Config {
  return {
    redisUrl: b.UPSTASH_REDIS_REST_URL,
    redisToken: b.UPSTASH_REDIS_REST_TOKEN,
    databaseUrl: b.DATABASE_URL,
    neonHttpEndpoint: b.NEON_HTTP_ENDPOINT,
    environment: b.ENVIRONMENT,
    rateLimitPerHour: b.RATE_LIMIT_PER_HOUR,
    rateLimitAnonymousPerHour: b.RATE_LIMIT_ANONYMOUS_PER_HOUR,
    loginFailuresPer15Min: b.LOGIN_FAILURES_PER_15_MIN,
    redisTimeoutMs: b.REDIS_TIMEOUT_MS,
    redisCooldownMs: b.REDIS_COOLDOWN_MS,
    databaseTimeoutMs: b.DATABASE_TIMEOUT_MS,
    dailyJobSubrequests: b.DAILY_JOB_SUBREQUESTS,
    live: { perLot: b.LIVE_MAX_PER_LOT, perIp: b.LIVE_MAX_PER_IP, maxLifetimeMs: b.LIVE_MAX_LIFETIME_MS, idleMs: b.LIVE_IDLE_MS, heartbeatMs: b.LIVE_HEARTBEAT_MS },
    redisBatching: b.REDIS_BATCHING === 'on',
    webhooks: { retryBaseSeconds: b.WEBHOOK_RETRY_BASE_SECONDS, timeoutMs: b.WEBHOOK_TIMEOUT_MS, disableAfter: b.WEBHOOK_DISABLE_AFTER },
    waitlistHoldSeconds: b.WAITLIST_HOLD_SECONDS,
  };
}

function parse(env: Env): Config | Misconfiguration {
  const input = Object.fromEntries(Object.keys(bindingsSchema.shape).map((name) => [name, blankToUndefined(env[name as keyof Env])]));
  const parsed = bindingsSchema.safeParse(input);
  const problems = parsed.success ? [] : [...new Set(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`))];
  const redisUrl = input.UPSTASH_REDIS_REST_URL;
  const redisToken = input.UPSTASH_REDIS_REST_TOKEN;
  // One without the other is a half-finished setup, not a choice to run without Redis.
  if (redisUrl !== undefined && redisToken === undefined) problems.push('UPSTASH_REDIS_REST_TOKEN must be set when UPSTASH_REDIS_REST_URL is');
  if (redisToken !== undefined && redisUrl === undefined) problems.push('UPSTASH_REDIS_REST_URL must be set when UPSTASH_REDIS_REST_TOKEN is');
  if (problems.length > 0 || !parsed.success) return new Misconfiguration(problems);
  return toConfig(parsed.data);
}

const cache = new WeakMap<Env, Config | Misconfiguration>();

/** Reads the settings from the bindings; throws a Misconfiguration naming every bad one. */
export function readConfig(env: Env): Config {
  let result = cache.get(env);
  if (!result) {
    result = parse(env);
    cache.set(env, result);
  }
  if (result instanceof Misconfiguration) throw result;
  return result;
}
