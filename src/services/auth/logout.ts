import type { Deps } from '../../deps.ts';
import { counters, keys } from '../../redis/keys.ts';
import { revokeSession } from './sessions.ts';

/**
 * Ends a session in Postgres, the record that decides. The gate already cleared and held the cached session
 * map; a user with no live session left leaves `active_users`.
 */
export async function logout(deps: Deps, tokenHash: string): Promise<void> {
  const ended = await revokeSession(deps.db, tokenHash);
  if (!ended) return;
  deps.counts.push(counters.totalLogouts);
  if (!ended.othersLive) deps.afterResponse.push(() => deps.redis.removeFromSet(keys.activeUsers, ended.userId));
}
