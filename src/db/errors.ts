// Recognising database failures: which ones mean "the database is unreachable" (503), which ones mean "the
// transaction lost a race and was rolled back" (re-sent by ./retrying-fetch.ts, then 503), and which
// constraint a statement ran into (mapped to the contract's 409s by the services).
import { AppError } from '../errors.ts';

interface PgLike {
  code?: unknown;
  constraint?: unknown;
  name?: unknown;
  cause?: unknown;
  sourceError?: unknown;
}

/** The PostgreSQL error behind a driver or drizzle error, if there is one. */
function pgError(error: unknown): PgLike | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const candidate = current as PgLike;
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    current = candidate.cause;
  }
  return null;
}

export function constraintOf(error: unknown): string | null {
  const pg = pgError(error);
  return pg && typeof pg.constraint === 'string' ? pg.constraint : null;
}

export function sqlStateOf(error: unknown): string | null {
  return (pgError(error)?.code as string | undefined) ?? null;
}

/** True for failures to reach or use the database at all, as opposed to a statement's own error. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state) return /^(08|53|57P|58)/.test(state);
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if ((current as PgLike).name === 'NeonDbError') return true;
    current = (current as PgLike).cause;
  }
  return false;
}

// serialization_failure and deadlock_detected: PostgreSQL aborted the whole transaction, so nothing of it
// stays, and running it again may well succeed.
const TRANSACTION_CONFLICTS = new Set(['40001', '40P01']);

export function isConflictSqlState(state: unknown): boolean {
  return typeof state === 'string' && TRANSACTION_CONFLICTS.has(state);
}

/** A transaction aborted by a deadlock or a serialization failure (still so after the driver's retries). */
export function isTransactionConflict(error: unknown): boolean {
  return isConflictSqlState(sqlStateOf(error));
}

export function transactionConflict(): AppError {
  return new AppError('database_unavailable', 'The database could not complete this request against concurrent changes, and nothing of it was applied. Please retry.');
}

export function databaseUnavailable(): AppError {
  return new AppError('database_unavailable', 'The database is unavailable right now. Please retry shortly.');
}
