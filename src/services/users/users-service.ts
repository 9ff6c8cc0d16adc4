// The rules about users: who may see and change whom, email uniqueness, no deletion while a reservation is
// active, and what each change means for sessions and caches.
import { asc, eq, sql } from 'drizzle-orm';
import { constraintOf } from '../../db/errors.ts';
import { users } from '../../db/schema.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { counters, dayOf, keys, ttl } from '../../redis/keys.ts';
import { hashPassword } from '../auth/password.ts';
import { revokeOtherSessions, sessionExpiry, type IssuedSession } from '../auth/sessions.ts';
import { newSecret, tokenFor } from '../auth/tokens.ts';
import { cached } from '../cache.ts';
import { toPublicUser, type PublicUser, type Role } from './user-view.ts';

export interface NewUser {
  email: string;
  password: string;
  name: string;
  vehicle_plate?: string | null | undefined;
  role?: Role | undefined;
}

export interface UserPatch {
  name?: string | undefined;
  vehicle_plate?: string | null | undefined;
  password?: string | undefined;
  role?: Role | undefined;
}

const emailTaken = () => new AppError('email_taken', 'An account with this email already exists.');
const userNotFound = (id: number) => new AppError('not_found', `There is no user ${id}.`);

/** The cache entries a change to user `id` makes stale. */
export function userKeys(id: number): string[] {
  return [keys.user(id), keys.usersAll];
}

export function listUsers(deps: Deps): Promise<PublicUser[]> {
  return cached(deps, keys.usersAll, ttl.usersAll, async () =>
    (await deps.db.select().from(users).orderBy(asc(users.id))).map(toPublicUser),
  );
}

export async function getUser(deps: Deps, id: number): Promise<PublicUser> {
  const user = await cached(deps, keys.user(id), ttl.user, async () => {
    const [row] = await deps.db.select().from(users).where(eq(users.id, id));
    return row ? toPublicUser(row) : null;
  });
  if (!user) throw userNotFound(id);
  return user;
}

export async function createUser(deps: Deps, input: NewUser): Promise<PublicUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    const [row] = await deps.db
      .insert(users)
      .values({ email: input.email, passwordHash, name: input.name, vehiclePlate: input.vehicle_plate ?? null, role: input.role ?? 'user' })
      .returning();
    deps.counts.push(counters.usersCreated);
    return toPublicUser(row!);
  } catch (error) {
    if (constraintOf(error) === 'users_email_unique') throw emailTaken();
    throw error;
  }
}

/** Creates a `user` and their first session in one statement. */
export async function register(deps: Deps, input: Omit<NewUser, 'role'>): Promise<{ user: PublicUser } & IssuedSession> {
  const passwordHash = await hashPassword(input.password);
  const { secret, hash } = newSecret();
  const expiresAt = sessionExpiry();
  try {
    const result = await deps.db.execute<typeof users.$inferSelect>(sql`
      WITH created AS (
        INSERT INTO users (email, password_hash, name, vehicle_plate, role)
        VALUES (${input.email}, ${passwordHash}, ${input.name}, ${input.vehicle_plate ?? null}, 'user')
        RETURNING *
      ), session AS (
        INSERT INTO sessions (user_id, token_hash, expires_at) SELECT id, ${hash}, ${expiresAt.toISOString()} FROM created
      )
      SELECT id, email, password_hash AS "passwordHash", name, vehicle_plate AS "vehiclePlate", role,
             created_at AS "createdAt", updated_at AS "updatedAt" FROM created`);
    const row = result.rows[0]!;
    const user = toPublicUser({ ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) });
    const day = dayOf(new Date());
    deps.counts.push(counters.totalRegistrations, counters.dailyRegistrations(day), counters.usersCreated);
    deps.afterResponse.push(() => deps.redis.addToSet(keys.activeUsers, user.id, ttl.activeUsers));
    return { user, token: tokenFor(user.id, secret), expires_at: expiresAt.toISOString() };
  } catch (error) {
    if (constraintOf(error) === 'users_email_unique') throw emailTaken();
    throw error;
  }
}

/**
 * Applies a change. A user may change their own name, plate and password; only an admin changes a role,
 * and no admin demotes themselves (so the last admin cannot lock everyone out). A new password ends every
 * other session of that user.
 */
export async function updateUser(deps: Deps, actor: PublicUser, sessionHash: string | null, id: number, patch: UserPatch): Promise<PublicUser> {
  if (actor.role !== 'admin' && actor.id !== id) throw new AppError('forbidden', 'You may only change your own account.');
  if (patch.role !== undefined && actor.role !== 'admin') throw new AppError('forbidden', 'Only an admin changes roles.');
  if (patch.role === 'user' && actor.id === id) throw new AppError('forbidden', 'An admin cannot demote themselves.');
  const values: Partial<typeof users.$inferInsert> = { updatedAt: sql`now()` as unknown as Date };
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.vehicle_plate !== undefined) values.vehiclePlate = patch.vehicle_plate;
  if (patch.role !== undefined) values.role = patch.role;
  if (patch.password !== undefined) values.passwordHash = await hashPassword(patch.password);
  const [row] = await deps.db.update(users).set(values).where(eq(users.id, id)).returning();
  if (!row) throw userNotFound(id);
  if (patch.password !== undefined) await revokeOtherSessions(deps.db, id, actor.id === id ? sessionHash : null);
  return toPublicUser(row);
}

/** Deletes a user (their sessions die with them), refused while they hold an active reservation. */
export async function deleteUser(deps: Deps, actor: PublicUser, id: number): Promise<void> {
  if (actor.id === id) throw new AppError('forbidden', 'An admin cannot delete their own account.');
  // Two statements in one transaction: the lock first, so the check sees any booking that committed meanwhile.
  const [, outcome] = await deps.db.batch([
    deps.db.execute(sql`SELECT id FROM users WHERE id = ${id} FOR UPDATE`),
    deps.db.execute<{ found: boolean; active: number; deleted: number }>(sql`
      WITH active AS (
        SELECT count(*)::int AS n FROM reservations WHERE user_id = ${id} AND status IN ('reserved', 'parked')
      ), deleted AS (
        DELETE FROM users WHERE id = ${id} AND (SELECT n FROM active) = 0 RETURNING id
      )
      SELECT EXISTS (SELECT 1 FROM users WHERE id = ${id}) AS found, (SELECT n FROM active) AS active,
             (SELECT count(*)::int FROM deleted) AS deleted`),
  ]);
  const result = outcome.rows[0]!;
  if (!result.found) throw userNotFound(id);
  if (result.deleted === 0) {
    throw new AppError('user_has_active_reservation', 'This user holds an active reservation; release or cancel it first.');
  }
  deps.counts.push(counters.usersDeleted);
  deps.afterResponse.push(() => deps.redis.removeFromSet(keys.activeUsers, id));
}
