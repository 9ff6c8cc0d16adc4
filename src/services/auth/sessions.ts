// Sessions, durable in Postgres (the record that decides) and cached in Redis as `user_session:{user_id}`:
// a JSON map of the user's live token hashes to their expiry times.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { sessions } from '../../db/schema.ts';
import { publicUserJson } from '../users/user-view.ts';
import { newSecret, SESSION_TTL_MS, tokenFor } from './tokens.ts';
import type { User } from '../../schemas/users.ts';

/** Token hash -> expiry (ms since the epoch) of a user's live sessions. */
export type LiveSessions = Record<string, number>;

export interface IssuedSession {
  token: string;
  expires_at: string;
}

export function sessionExpiry(): Date {
  return new Date(Date.now() + SESSION_TTL_MS);
}

export async function createSession(db: Database, userId: number): Promise<IssuedSession> {
  const { secret, hash } = newSecret();
  const expiresAt = sessionExpiry();
  await db.insert(sessions).values({ userId, tokenHash: hash, expiresAt });
  return { token: tokenFor(userId, secret), expires_at: expiresAt.toISOString() };
}

/** The user and all their live sessions, in one query; null when the user does not exist. */
export async function loadUserWithSessions(db: Database, userId: number): Promise<{ user: User; live: LiveSessions } | null> {
  // Plain SQL with explicit aliases: inside a subquery an unqualified column would bind to the wrong table.
  const result = await db.execute<{ user: User; live: [string, string][] | null }>(sql`
    SELECT ${publicUserJson('u')} AS user,
           (SELECT json_agg(json_build_array(s.token_hash, api_time(s.expires_at)))
              FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL AND s.expires_at > now()) AS live
    FROM users u WHERE u.id = ${userId}`);
  const row = result.rows[0];
  if (!row) return null;
  const live: LiveSessions = {};
  for (const [hash, expiresAt] of row.live ?? []) live[hash] = Date.parse(expiresAt);
  return { user: row.user, live };
}

/** Ends one session. Returns its user and whether that user still has another live session. */
export async function revokeSession(db: Database, tokenHash: string): Promise<{ userId: number; othersLive: boolean } | null> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(sessions.revokedAt)))
    .returning({
      userId: sessions.userId,
      othersLive: sql<boolean>`EXISTS (
        SELECT 1 FROM sessions other WHERE other.user_id = "sessions"."user_id" AND other.token_hash <> ${tokenHash}
          AND other.revoked_at IS NULL AND other.expires_at > now())`,
    });
  return rows[0] ?? null;
}

/**
 * Ends every live session of a user but the one given (a password change signs out the other devices), if
 * the user's password hash is `ifPasswordHash` by then (null: never — nothing to end). A query to run in
 * the batch of the change itself.
 */
export function revokeOtherSessions(db: Database, userId: number, keepHash: string | null, ifPasswordHash: string | null) {
  return db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        keepHash ? sql`${sessions.tokenHash} <> ${keepHash}` : undefined,
        sql`EXISTS (SELECT 1 FROM users u WHERE u.id = ${userId} AND u.password_hash = ${ifPasswordHash})`,
      ),
    );
}
