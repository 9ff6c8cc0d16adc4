// The daily cron trigger (00:05 UTC, wrangler.toml). Each step runs whatever happened to the ones before it
// and logs one JSON line; the job rejects at the end if any step failed, so that the platform records the
// run as failed. Redis being unreachable fails its steps (logged as skipped) but not the Postgres ones.
//
// A run keeps to a budget (budget.ts): DAILY_JOB_SUBREQUESTS subrequests and WALL_MS. The steps go in order of
// importance, and each may spend what is left after keeping, for every step after it, the price of its smallest
// piece of work: the first can catch up a long backlog without the others standing still. A step the budget
// stopped logs `more: true` and the next run goes on where it stopped (job-state.ts); that is not a failure.
import { makeDeps, type Deps } from '../deps.ts';
import type { Env } from '../env.ts';
import { RedisUnavailable } from '../redis/gateway.ts';
import { dayOf } from '../redis/keys.ts';
import { applyAllPendingInvalidations, ROUND_COST } from './apply-invalidations.ts';
import { Budget, WALL_MS } from './budget.ts';
import { MOVE_COST } from './compact-daily-metrics.ts';
import { compactDailyMetrics } from './compact-listed-days.ts';
import { BATCH_COST, deleteExpiredRecords } from './housekeeping.ts';
import { freshJobState, loadJobState, redisIdentity, saveJobState, type JobState } from './job-state.ts';
import { PRUNE_COST, pruneActiveUsers } from './prune-active-users.ts';
import type { JobRun, Outcome } from './run.ts';
import { SWEEP_PAGE_COST, sweepStrayDailyKeys } from './sweep-stray-daily-keys.ts';

interface Step {
  name: string;
  /** Needs Redis: skipped (successfully) when no Redis is configured, since then there is nothing to do. */
  redis: boolean;
  /** Subrequests of its smallest piece of work, kept free for it while the steps before it run. */
  unit: number;
  run: (run: JobRun) => Promise<Outcome>;
}

export const steps: Step[] = [
  { name: 'compact_daily_metrics', redis: true, unit: MOVE_COST, run: compactDailyMetrics },
  { name: 'prune_active_users', redis: true, unit: PRUNE_COST, run: pruneActiveUsers },
  { name: 'apply_pending_invalidations', redis: true, unit: ROUND_COST, run: applyAllPendingInvalidations },
  { name: 'delete_expired_records', redis: false, unit: BATCH_COST, run: deleteExpiredRecords },
  { name: 'sweep_stray_daily_keys', redis: true, unit: SWEEP_PAGE_COST, run: sweepStrayDailyKeys },
];

/** The job state is written once, at the end. */
const SAVE_COST = 1;

type Result = 'done' | 'more' | 'failed';

function log(line: Outcome, failed = false): void {
  const text = JSON.stringify({ job: 'daily', ...line });
  if (failed) console.error(text);
  else console.log(text);
}

async function runStep(step: Step, run: JobRun, stateError: unknown): Promise<Result> {
  const started = Date.now();
  const ms = () => Date.now() - started;
  if (step.redis && !run.deps.redis.gateway.configured) {
    log({ step: step.name, ok: true, skipped: 'redis not configured', ms: ms() });
    return 'done';
  }
  try {
    if (step.redis && stateError !== undefined) throw stateError;
    const outcome = await step.run(run);
    log({ step: step.name, ok: true, ...outcome, ms: ms() });
    return outcome.more ? 'more' : 'done';
  } catch (error) {
    if (error instanceof RedisUnavailable) log({ step: step.name, ok: false, skipped: 'redis unavailable', error: error.message, ms: ms() }, true);
    else log({ step: step.name, ok: false, error: String(error), ms: ms() }, true);
    return 'failed';
  }
}

/** The state of this Redis database's work, or a fresh one that is not kept when there is no Redis. */
async function loadState(deps: Deps, redis: string | null): Promise<{ state: JobState; error?: unknown }> {
  if (redis === null) return { state: freshJobState() };
  try {
    return { state: await loadJobState(deps, redis) };
  } catch (error) {
    log({ step: 'load_state', ok: false, error: String(error) }, true);
    return { state: freshJobState(), error };
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
  const started = Date.now();
  const budget = new Budget(deps, { subrequests: deps.config.dailyJobSubrequests, wallMs: WALL_MS });
  const redis = deps.config.redisUrl && deps.redis.gateway.configured ? redisIdentity(deps.config.redisUrl) : null;
  const { state, error: stateError } = await loadState(budget.deps, redis);
  const loaded = JSON.stringify(state);
  const failed: string[] = [];
  const unfinished: string[] = [];
  for (const [i, step] of steps.entries()) {
    const reserved = SAVE_COST + steps.slice(i + 1).reduce((sum, later) => sum + later.unit, 0);
    const run: JobRun = { deps: budget.deps, now, today: dayOf(now), budget: budget.forStep(reserved), state };
    const result = await runStep(step, run, stateError);
    if (result === 'failed') failed.push(step.name);
    if (result === 'more') unfinished.push(step.name);
  }
  if (redis !== null && stateError === undefined && JSON.stringify(state) !== loaded) {
    try {
      await saveJobState(budget.deps, redis, state);
    } catch (error) {
      log({ step: 'save_state', ok: false, error: String(error) }, true);
      failed.push('save_state');
    }
  }
  const summary = { scheduledTime: now.toISOString(), failed, unfinished, subrequests: budget.spent, budget: budget.limits.subrequests, ms: Date.now() - started };
  log({ step: 'done', ok: failed.length === 0, ...summary }, failed.length > 0);
  if (failed.length > 0) throw new Error(`daily job: ${failed.join(', ')} failed`);
}
