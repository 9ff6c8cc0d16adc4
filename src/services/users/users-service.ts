// The rules about users: who may see and change whom, email uniqueness, no deletion while a reservation is
// active, and what each change means for sessions and caches.
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { constraintOf } from '../../db/errors.ts';
import { users } from '../../db/schema.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { settleLotsOf } from '../waitlist/settle-lots.ts';
import { counters, dayOf, keys, ttl } from '../../redis/keys.ts';
import { hashPassword } from '../auth/password.ts';
import { revokeOtherSessions, sessionExpiry, type IssuedSession } from '../auth/sessions.ts';
import { newSecret, tokenFor } from '../auth/tokens.ts';
import { cached, invalidateNow, writing } from '../cache.ts';
import { DEFAULT_PAGE, type Page, type PageRequest } from '../../schemas/pagination.ts';
import { decodeCursor, isFirstPage, toPage } from '../pagination.ts';
import { publicUserJson, toUser } from './user-view.ts';
import type { Role } from '../../schemas/fields.ts';
import type { User } from '../../schemas/users.ts';

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

/** The cache entries a change to user `id` makes stale: theirs, the list, and their session map (a password
 * change or a deletion ends sessions). */
function userKeys(id: number): string[] {
  return [keys.user(id), keys.usersAll, keys.userSession(id)];
}

/** A page of users in id order; the first page at the default size is the cached `users:all`. */
export function listUsers(deps: Deps, request: PageRequest): Promise<Page<User>> {
  const after = decodeCursor('users', request.cursor, ['number'])?.[0] ?? 0;
  const load = async () => {
    const rows = await deps.db.select().from(users).where(gt(users.id, Number(after))).orderBy(asc(users.id)).limit(request.limit + 1);
    return toPage('users', rows.map(toUser), request, (user) => [user.id]);
  };
  return isFirstPage(request, DEFAULT_PAGE) ? cached(deps, keys.usersAll, ttl.usersAll, load) : load();
}

export async function getUser(deps: Deps, actor: User, id: number): Promise<User> {
  if (actor.role !== 'admin' && actor.id !== id) throw new AppError('forbidden', 'You may only see your own account.');
  const user = await cached(deps, keys.user(id), ttl.user, async () => {
    const [row] = await deps.db.select().from(users).where(eq(users.id, id));
    return row ? toUser(row) : null;
  });
  if (!user) throw userNotFound(id);
  return user;
}

export async function createUser(deps: Deps, input: NewUser): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  try {
    const [row] = await writing(deps, [keys.usersAll], () => deps.db
      .insert(users)
      .values({ email: input.email, passwordHash, name: input.name, vehiclePlate: input.vehicle_plate ?? null, role: input.role ?? 'user' })
      .returning());
    await invalidateNow(deps, [keys.usersAll]);
    deps.request.count(counters.usersCreated);
    return toUser(row!);
  } catch (error) {
    if (constraintOf(error) === 'users_email_unique') throw emailTaken();
    throw error;
  }
}

/** Creates a `user` and their first session in one statement. */
export async function register(deps: Deps, input: Omit<NewUser, 'role'>): Promise<{ user: User } & IssuedSession> {
  const passwordHash = await hashPassword(input.password);
  const { secret, hash } = newSecret();
  const expiresAt = sessionExpiry();
  try {
    const result = await writing(deps, [keys.usersAll], () => deps.db.execute<{ user: User }>(sql`
      WITH created AS (
        INSERT INTO users (email, password_hash, name, vehicle_plate, role)
        VALUES (${input.email}, ${passwordHash}, ${input.name}, ${input.vehicle_plate ?? null}, 'user')
        RETURNING *
      ), session AS (
        INSERT INTO sessions (user_id, token_hash, expires_at) SELECT id, ${hash}, ${expiresAt.toISOString()} FROM created
      )
      SELECT ${publicUserJson('created')} AS user FROM created`));
    const { user } = result.rows[0]!;
    await invalidateNow(deps, [keys.usersAll]);
    const day = dayOf(new Date());
    deps.request.count(counters.totalRegistrations); deps.request.count(counters.dailyRegistrations(day)); deps.request.count(counters.usersCreated);
    deps.request.defer(() => deps.redis.addToSet(keys.activeUsers, user.id, ttl.activeUsers));
    return { user, token: tokenFor(user.id, secret), expires_at: expiresAt.toISOString() };
  } catch (error) {
    if (constraintOf(error) === 'users_email_unique') throw emailTaken();
    throw error;
  }
}

/** Locks the user (and every admin, in id order, so that two admins changing each other queue up). */
const lockUser = (deps: Deps, id: number, andAdmins: boolean) =>
  deps.db.execute(sql`SELECT id FROM users WHERE id = ${id} OR (${andAdmins} AND role = 'admin') ORDER BY id FOR UPDATE`);

/** True for a user who is not an admin, or an admin who is not the only one. */
const keepsAnAdmin = (id: number) =>
  sql`(${users.role} <> 'admin' OR EXISTS (SELECT 1 FROM users other WHERE other.role = 'admin' AND other.id <> ${id}))`;

const lastAdmin = () => new AppError('last_admin', 'This is the only admin left: make another admin first.');

/**
 * Applies a change, in one transaction. A user may change their own name, plate and password; only an admin
 * changes a role; no admin demotes themself, and the last admin cannot be demoted. A new password ends every
 * other session of that user, in the same transaction.
 */
export async function updateUser(deps: Deps, actor: User, sessionHash: string | null, id: number, patch: UserPatch): Promise<User> {
  if (actor.role !== 'admin' && actor.id !== id) throw new AppError('forbidden', 'You may only change your own account.');
  if (patch.role !== undefined && actor.role !== 'admin') throw new AppError('forbidden', 'Only an admin changes roles.');
  if (patch.role === 'user' && actor.id === id) throw new AppError('forbidden', 'An admin cannot demote themselves.');
  const values: Partial<typeof users.$inferInsert> = { updatedAt: sql`now()` as unknown as Date };
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.vehicle_plate !== undefined) values.vehiclePlate = patch.vehicle_plate;
  if (patch.role !== undefined) values.role = patch.role;
  const newHash = patch.password === undefined ? null : await hashPassword(patch.password);
  if (newHash) values.passwordHash = newHash;
  const guard = patch.role === 'user' ? and(eq(users.id, id), keepsAnAdmin(id)) : eq(users.id, id);
  const [, updated, , exists] = await writing(deps, userKeys(id), () =>
    deps.db.batch([
      lockUser(deps, id, patch.role === 'user'),
      deps.db.update(users).set(values).where(guard).returning(),
      revokeOtherSessions(deps.db, id, actor.id === id ? sessionHash : null, newHash),
      deps.db.execute(sql`SELECT 1 FROM users WHERE id = ${id}`),
    ]),
  );
  const row = updated[0];
  if (!row) throw exists.rows.length === 0 ? userNotFound(id) : lastAdmin();
  await invalidateNow(deps, userKeys(id));
  return toUser(row);
}

/** Deletes a user (their sessions die with them), refused while they hold an active reservation. */
export async function deleteUser(deps: Deps, actor: User, id: number): Promise<void> {
  if (actor.id === id) throw new AppError('forbidden', 'An admin cannot delete their own account.');
  // Two statements in one transaction: the locks first, so the check sees any booking that committed meanwhile.
  const [, outcome] = await writing(deps, userKeys(id), () => deps.db.batch([
    lockUser(deps, id, true),
    deps.db.execute<{ found: boolean; active: number; last_admin: boolean; deleted: number; offered_lots: number[] }>(sql`
      WITH offered AS (
        SELECT DISTINCT lot_id FROM waitlist_entries WHERE user_id = ${id} AND status = 'offered'
      ), active AS (
        SELECT count(*)::int AS n FROM reservations WHERE user_id = ${id} AND status IN ('reserved', 'parked')
      ), target AS (
        SELECT id, NOT ${keepsAnAdmin(id)} AS last_admin FROM users WHERE id = ${id}
      ), deleted AS (
        DELETE FROM users WHERE id IN (SELECT id FROM target WHERE NOT last_admin) AND (SELECT n FROM active) = 0 RETURNING id
      )
      SELECT EXISTS (SELECT 1 FROM target) AS found, (SELECT n FROM active) AS active,
             coalesce((SELECT last_admin FROM target), false) AS last_admin, (SELECT count(*)::int FROM deleted) AS deleted,
             ARRAY(SELECT lot_id FROM offered WHERE EXISTS (SELECT 1 FROM deleted)) AS offered_lots`),
  ]));
  const result = outcome.rows[0]!;
  if (!result.found) throw userNotFound(id);
  if (result.last_admin) throw lastAdmin();
  if (result.deleted === 0) {
    throw new AppError('user_has_active_reservation', 'This user holds an active reservation; release or cancel it first.');
  }
  await invalidateNow(deps, userKeys(id));
  // Their running offers went with their entries (ON DELETE CASCADE): the held spots passed on.
  if (result.offered_lots.length > 0) await settleLotsOf(deps, result.offered_lots);
  deps.request.count(counters.usersDeleted);
  deps.request.defer(() => deps.redis.removeFromSet(keys.activeUsers, id));
}
