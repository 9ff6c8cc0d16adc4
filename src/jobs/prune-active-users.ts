// Removes from `active_users` the members without a live session in Postgres (the record that decides).
// Logout and account deletion already remove members; this catches what they could not (Redis down at the
// time, sessions that simply expired).
//
// The set can hold every user signed in of late, so it is read in SSCAN pages, never SMEMBERS, and a pass that
// the budget cuts short goes on from its cursor in the next run. Each page costs one Redis round trip and one
// query: the SREM of a page's stale members leaves in the same pipeline as the next page's SSCAN, and the query
// about the next page asks again about those just removed. Someone who signed in between a query and the SREM
// had their SADD undone by it; asked again after the SREM, their new session is found and they are put back.
// (One signing in after that second question adds themselves after the SREM.)
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';
import { keys, ttl } from '../redis/keys.ts';
import { MAX_DB_ID } from '../schemas/fields.ts';
import type { JobRun, Outcome } from './run.ts';

/** Members per SSCAN page (a hint: Redis may answer a few more), so each SREM and each query holds about as many. */
export const PRUNE_COUNT = 2000;
/** A page: its round trip and its query. */
const PAGE_COST = 2;
/** After the last page: the SREM, the question asked again, the SADD of those put back. */
const FINISH_COST = 3;
/** The smallest piece of work: one page and what follows it. */
export const PRUNE_COST = PAGE_COST + FINISH_COST;

function asUserId(member: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(member)) return null;
  const id = Number(member);
  return id <= MAX_DB_ID ? id : null;
}

/** Which of these members have a live session, in one query. */
async function withLiveSession(deps: Deps, members: string[]): Promise<Set<string>> {
  const ids = [...new Set(members.map(asUserId).filter((id): id is number => id !== null))];
  if (ids.length === 0) return new Set();
  const result = await deps.db.execute<{ user_id: number }>(sql`
    SELECT DISTINCT user_id FROM sessions
    WHERE user_id = ANY(${sql.param(ids)}::int[]) AND revoked_at IS NULL AND expires_at > now()`);
  return new Set(result.rows.map((row) => String(row.user_id)));
}

/** One round trip: puts back, removes, and reads the next page when `cursor` is given. */
async function roundTrip(deps: Deps, restore: string[], remove: string[], cursor: string | null) {
  const gateway = deps.redis.gateway;
  const [, , page] = await Promise.all([
    restore.length > 0 ? Promise.all([gateway.call((p) => p.sadd(keys.activeUsers, restore[0]!, ...restore.slice(1))), gateway.call((p) => p.expire(keys.activeUsers, ttl.activeUsers))]) : null,
    remove.length > 0 ? gateway.call((p) => p.srem(keys.activeUsers, ...remove)) : null,
    cursor === null ? null : gateway.call<[string | number, string[]]>((p) => p.sscan(keys.activeUsers, cursor, { count: PRUNE_COUNT })),
  ]);
  return page && { cursor: String(page[0]), members: page[1] };
}

export async function pruneActiveUsers(run: JobRun): Promise<Outcome> {
  let cursor = run.state.activeUsersCursor;
  let passComplete = false;
  let restore: string[] = [];
  let remove: string[] = [];
  const tally = { pages: 0, members: 0, removed: 0, restored: 0 };
  for (;;) {
    const readPage = !passComplete && run.budget.allows(PRUNE_COST);
    if (!readPage && restore.length === 0 && remove.length === 0) break;
    const page = await roundTrip(run.deps, restore, remove, readPage ? cursor : null);
    const removed = remove;
    tally.removed += removed.length;
    tally.restored += restore.length;
    [restore, remove] = [[], []];
    const members = page?.members ?? [];
    if (page) {
      [cursor, passComplete] = [page.cursor, page.cursor === '0'];
      tally.pages += 1;
      tally.members += members.length;
    }
    if (removed.length === 0 && members.length === 0) continue;
    // One question for both: was anyone just removed signed in meanwhile, and who on this page is stale.
    const live = await withLiveSession(run.deps, [...removed, ...members]);
    restore = removed.filter((member) => live.has(member));
    remove = [...new Set(members.filter((member) => !live.has(member)))];
  }
  run.state.activeUsersCursor = cursor;
  return { ...tally, removed: tally.removed - tally.restored, passComplete, more: !passComplete };
}
