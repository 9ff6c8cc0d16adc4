import type { Deps } from '../../deps.ts';
import { counters, keys } from '../../redis/keys.ts';
import { whileHolding } from '../cache.ts';
import { revokeSession } from './sessions.ts';

/**
 * Ends a session in Postgres, the record that decides, with the user's cached session map held meanwhile; a
 * user with no live session left leaves `active_users`.
 */
export async function logout(deps: Deps, userId: number, tokenHash: string): Promise<void> {
  const ended = await whileHolding(deps, [keys.userSession(userId)], () => revokeSession(deps.db, tokenHash));
  if (!ended) return;
  deps.request.count(counters.totalLogouts);
  if (!ended.othersLive) deps.request.defer(() => deps.redis.removeFromSet(keys.activeUsers, ended.userId));
}
