import type { Deps } from '../../deps.ts';
import { counters, keys } from '../../redis/keys.ts';
import { invalidateNow, writing } from '../cache.ts';
import { revokeSession } from './sessions.ts';

/**
 * Ends a session in Postgres, the record that decides, then clears the user's cached session map; a user with
 * no live session left leaves `active_users`.
 */
export async function logout(deps: Deps, userId: number, tokenHash: string): Promise<void> {
  const ended = await writing(deps, [keys.userSession(userId)], () => revokeSession(deps.db, tokenHash));
  if (!ended) return;
  await invalidateNow(deps, [keys.userSession(ended.userId)]);
  deps.request.count(counters.totalLogouts);
  if (!ended.othersLive) deps.request.defer(() => deps.redis.removeFromSet(keys.activeUsers, ended.userId));
}
