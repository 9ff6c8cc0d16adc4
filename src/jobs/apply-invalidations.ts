// The cache entries that writes could not clear while Redis was down (redis/reconcile.ts). Every isolate applies
// them before it trusts Redis again; the daily job is the backstop for a backlog nobody has applied yet. In
// rounds of up to 1000 keys while the budget allows one more; what is left, the next run (or any isolate) applies.
import { RedisUnavailable } from '../redis/gateway.ts';
import { applyPendingInvalidations } from '../redis/reconcile.ts';
import type { JobRun, Outcome } from './run.ts';

/** A round: the SELECT, the deletion in Redis (and its EVAL if Redis lacks the script), the DELETE. */
export const ROUND_COST = 4;

export async function applyAllPendingInvalidations(run: JobRun): Promise<Outcome> {
  let applied = 0;
  let rounds = 0;
  while (run.budget.allows(ROUND_COST)) {
    const result = await applyPendingInvalidations(run.deps);
    applied += result.applied;
    rounds += 1;
    if (!run.deps.redis.gateway.usable) throw new RedisUnavailable('Redis is unreachable');
    if (result.applied === 0 && !result.done) throw new Error('Redis refused to clear the pending cache entries');
    if (result.done) return { applied, rounds, more: false };
  }
  return { applied, rounds, more: true };
}
