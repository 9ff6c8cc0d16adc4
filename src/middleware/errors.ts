// Turns every failure into the contract's one envelope. Unknown errors are logged with the request id and
// answered with a generic sentence: never the error's own message, a stack or SQL.
import type { Hook } from '@hono/zod-openapi';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../app-env.ts';
import { constraintOf, databaseUnavailable, isDatabaseUnavailable, isTransactionConflict, sqlStateOf, transactionConflict } from '../db/errors.ts';
import { AppError } from '../errors.ts';

export function sendError(c: Context<AppEnv>, error: AppError): Response {
  return c.json(error.toBody(), error.status);
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError) return sendError(c, error);
  if (error instanceof HTTPException) {
    if (error.status === 400) {
      // The body parser refused it: as a form when one was sent (the dashboard's forms), else as JSON.
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) return sendError(c, new AppError('invalid_form', 'The request body is not a valid form.'));
      return sendError(c, new AppError('invalid_json', 'The request body is not valid JSON.'));
    }
    if (error.status === 413) return sendError(c, new AppError('payload_too_large', 'The request body is larger than 64 KiB.'));
    if (error.status === 415) return sendError(c, new AppError('unsupported_media_type', 'This route does not take a body of that Content-Type (JSON routes take application/json).'));
  }
  if (isDatabaseUnavailable(error)) {
    log(c, 'database unavailable', error);
    return sendError(c, databaseUnavailable());
  }
  // A deadlock or serialization failure that outlasted the driver's retries: rolled back, worth retrying.
  if (isTransactionConflict(error)) {
    log(c, 'transaction conflict after retries', error);
    return sendError(c, transactionConflict());
  }
  // A value PostgreSQL cannot take (class 22: a NUL in text, a number out of range) is bad input, not our fault.
  if (sqlStateOf(error)?.startsWith('22')) {
    return sendError(c, new AppError('validation_failed', 'A value is malformed or out of range.'));
  }
  log(c, 'unhandled error', error);
  return sendError(c, new AppError('internal_error', 'Something went wrong on our side. Quote the request id when reporting it.'));
};

/**
 * Logs the innermost cause only: drizzle wraps driver errors in one whose message and stack repeat the whole
 * statement with its parameters, which may hold password or token hashes.
 */
function log(c: Context<AppEnv>, msg: string, error: unknown): void {
  let root = error as { message?: string; stack?: string; cause?: unknown };
  while (root?.cause) root = root.cause as typeof root;
  console.error(JSON.stringify({ level: 'error', request_id: c.var.requestId, msg, error: String(root?.message ?? root), sqlstate: sqlStateOf(error), constraint: constraintOf(error), stack: root?.stack }));
}

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  sendError(c, new AppError('not_found', `There is no route ${c.req.method} ${c.req.path}.`));

/** zod-openapi's hook: a failed validation of body, query or path answers 422 with every bad field. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(root)',
    in: result.target,
    message: issue.message,
  }));
  return sendError(c, new AppError('validation_failed', 'Some fields are invalid.', details));
};
