// Signing in. An unknown email and a wrong password answer the same 401 after the same work (a full
// PBKDF2 run against a hash nothing matches), and both count against the failed-login limit of the client's
// IP and that email.
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { constraintOf } from '../../db/errors.ts';
import { users } from '../../db/schema.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { counters, dayOf, keys, ttl } from '../../redis/keys.ts';
import type { RateLimitResult } from '../../redis/store.ts';
import { toUser } from '../users/user-view.ts';
import { UNMATCHABLE_HASH, verifyPassword } from './password.ts';
import { createSession, type IssuedSession } from './sessions.ts';
import type { User } from '../../schemas/users.ts';

const FAILURE_WINDOW_SECONDS = 15 * 60;
const FAILURE_ENDPOINT = 'failed-login';

export class LoginRefused extends AppError {
  readonly limit: RateLimitResult;

  constructor(error: AppError, limit: RateLimitResult) {
    super(error.code, error.message);
    this.limit = limit;
  }
}

/** The failed-login window of an IP and email; the email is hashed so that no address sits in a key name. */
export function failureIdentity(ip: string, email: string): string {
  return `login:${ip}:${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
}

/** Signs in; with `adminOnly` (the dashboard's form) a right password of a non-admin is refused with 403. */
export async function login(deps: Deps, ip: string, email: string, password: string, options: { adminOnly?: boolean } = {}): Promise<{ user: User } & IssuedSession> {
  const identity = failureIdentity(ip, email);
  const max = deps.config.loginFailuresPer15Min;
  // Every attempt is counted before the password is checked, and a right one is given back afterwards: so
  // attempts sent in parallel cannot slip past the limit between a check and a count.
  const [attempt, rows] = await Promise.all([
    deps.redis.rateLimitCheck(identity, FAILURE_ENDPOINT, max, FAILURE_WINDOW_SECONDS),
    deps.db.select().from(users).where(eq(sql`lower(${users.email})`, email)),
  ]);
  if (!attempt.allowed) {
    deps.request.count(counters.rateLimitViolations);
    throw new LoginRefused(new AppError('rate_limited', 'Too many failed sign-ins. Retry after the time in the Retry-After header.'), attempt);
  }
  const row = rows[0];
  const matches = await verifyPassword(password, row?.passwordHash ?? UNMATCHABLE_HASH);
  const invalid = () => new LoginRefused(new AppError('invalid_credentials', 'The email or the password is wrong.'), attempt);
  if (!row || !matches) throw invalid();
  if (attempt.limit !== undefined) deps.request.defer(() => deps.redis.rateLimitCheck(identity, FAILURE_ENDPOINT, max, FAILURE_WINDOW_SECONDS, -1));
  if (options.adminOnly && row.role !== 'admin') {
    throw new LoginRefused(new AppError('forbidden', 'Only admins may sign in to the dashboard.'), attempt);
  }
  let session: IssuedSession;
  try {
    session = await createSession(deps.db, row.id);
  } catch (error) {
    if (constraintOf(error) === 'sessions_user_id_users_id_fk') throw invalid(); // deleted meanwhile
    throw error;
  }
  deps.request.count(counters.totalLogins);
  deps.request.count(counters.dailyLogins(dayOf(new Date())));
  deps.request.defer(() => deps.redis.addToSet(keys.activeUsers, row.id, ttl.activeUsers));
  return { user: toUser(row), ...session };
}
