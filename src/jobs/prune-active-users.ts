// Removes from `active_users` the members without a live session in Postgres (the record that decides).
// Logout and account deletion already remove members; this catches what they could not (Redis down at the
// time, sessions that simply expired).
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import { keys, ttl } from '../redis/keys.ts';
import { MAX_DB_ID } from '../schemas/fields.ts';


function asUserId(member: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(member)) return null;
  const id = Number(member);
  return id <= MAX_DB_ID ? id : null;
}

/** Which of these members have a live session, in one query. */
async function withLiveSession(deps: Deps, members: string[]): Promise<Set<string>> {
  const ids = members.map(asUserId).filter((id): id is number => id !== null);
  if (ids.length === 0) return new Set();
  const result = await deps.db.execute<{ user_id: number }>(sql`
    SELECT DISTINCT user_id FROM sessions
    WHERE user_id = ANY(${sql.param(ids)}::int[]) AND revoked_at IS NULL AND expires_at > now()`);
  return new Set(result.rows.map((row) => String(row.user_id)));
}

export async function pruneActiveUsers(deps: Deps) {
  const members = await deps.redis.gateway.call<string[]>((p) => p.smembers(keys.activeUsers));
  const live = await withLiveSession(deps, members);
  const stale = members.filter((member) => !live.has(member));
  if (stale.length === 0) return { members: members.length, removed: 0, restored: 0 };
  await deps.redis.gateway.call((p) => p.srem(keys.activeUsers, ...stale));
  // Someone who signed in between the query and the SREM had their SADD undone by it: asking again after
  // the SREM finds their new session, and they are put back. (One signing in later adds themselves.)
  const revived = [...(await withLiveSession(deps, stale))];
  if (revived.length > 0) {
    await Promise.all([
      deps.redis.gateway.call((p) => p.sadd(keys.activeUsers, revived[0]!, ...revived.slice(1))),
      deps.redis.gateway.call((p) => p.expire(keys.activeUsers, ttl.activeUsers)),
    ]);
  }
  return { members: members.length, removed: stale.length - revived.length, restored: revived.length };
}
