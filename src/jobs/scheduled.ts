// The daily cron trigger (00:05 UTC, wrangler.toml). Each step runs whatever happened to the ones before it
// and logs one JSON line; the job rejects at the end if any step failed, so that the platform records the
// run as failed. Redis being unreachable fails its steps (logged as skipped) but not the Postgres ones.
import { makeDeps, type Deps } from '../deps.ts';
import type { Env } from '../env.ts';
import { RedisUnavailable } from '../redis/gateway.ts';
import { applyPendingInvalidations } from '../redis/reconcile.ts';
import { compactDailyMetrics } from './compact-daily-metrics.ts';
import { deleteExpiredRecords } from './housekeeping.ts';
import { pruneActiveUsers } from './prune-active-users.ts';

type Outcome = Record<string, unknown>;

interface Step {
  name: string;
  /** Needs Redis: skipped (successfully) when no Redis is configured, since then there is nothing to do. */
  redis: boolean;
  run: (deps: Deps, now: Date) => Promise<Outcome>;
}

/** Each round applies up to 1000 pending invalidations; a few rounds finish any realistic backlog. */
const MAX_INVALIDATION_ROUNDS = 20;

async function applyAllPendingInvalidations(deps: Deps): Promise<Outcome> {
  let applied = 0;
  for (let round = 1; round <= MAX_INVALIDATION_ROUNDS; round++) {
    const result = await applyPendingInvalidations(deps);
    applied += result.applied;
    if (!deps.redis.gateway.usable) throw new RedisUnavailable('Redis is unreachable');
    if (result.done) return { applied, rounds: round };
  }
  throw new Error(`pending cache invalidations remain after ${MAX_INVALIDATION_ROUNDS} rounds`);
}

export const steps: Step[] = [
  { name: 'compact_daily_metrics', redis: true, run: compactDailyMetrics },
  { name: 'prune_active_users', redis: true, run: pruneActiveUsers },
  { name: 'apply_pending_invalidations', redis: true, run: applyAllPendingInvalidations },
  { name: 'delete_expired_records', redis: false, run: deleteExpiredRecords },
];

function log(line: Outcome, failed = false): void {
  const text = JSON.stringify({ job: 'daily', ...line });
  if (failed) console.error(text);
  else console.log(text);
}

async function runStep(step: Step, deps: Deps, now: Date): Promise<boolean> {
  const started = Date.now();
  const ms = () => Date.now() - started;
  if (step.redis && !deps.redis.gateway.configured) {
    log({ step: step.name, ok: true, skipped: 'redis not configured', ms: ms() });
    return true;
  }
  try {
    log({ step: step.name, ok: true, ...(await step.run(deps, now)), ms: ms() });
    return true;
  } catch (error) {
    if (error instanceof RedisUnavailable) log({ step: step.name, ok: false, skipped: 'redis unavailable', error: error.message, ms: ms() }, true);
    else log({ step: step.name, ok: false, error: String(error), ms: ms() }, true);
    return false;
  }
}

export async function runScheduled(env: Env, now: Date): Promise<void> {
  let deps: Deps;
  try {
    deps = makeDeps(env);
  } catch (error) {
    log({ step: 'start', ok: false, error: String(error) }, true);
    throw error;
  }
  const failed: string[] = [];
  for (const step of steps) {
    if (!(await runStep(step, deps, now))) failed.push(step.name);
  }
  log({ step: 'done', ok: failed.length === 0, scheduledTime: now.toISOString(), failed }, failed.length > 0);
  if (failed.length > 0) throw new Error(`daily job: ${failed.join(', ')} failed`);
}
