// Text is well-formed Unicode (SPEC). A JSON string may carry a lone surrogate (`"\ud800"`): JavaScript parses
// it, but Neon's proxy refuses the query that carries it (the driver's error has no SQLSTATE, so it would look
// like an outage) and PostgreSQL has no way to store it. So it is refused here, at the edge, for every route,
// as 422 naming the field. JSON is the only way in for one: percent-decoding and form decoding never produce a
// lone surrogate, and header values are bytes.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/** The path of the first string (value or key) that is not well-formed, or null. */
export function illFormedPath(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : path.join('.') || '(root)';
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = illFormedPath(item, [...path, String(i)]);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!key.isWellFormed()) return [...path, key.toWellFormed()].join('.');
      const found = illFormedPath(item, [...path, key]);
      if (found !== null) return found;
    }
  }
  return null;
}

export const wellFormedText = createMiddleware<AppEnv>(async (c, next) => {
  if (JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    // Parsed once: the route's validator gets the same parsed body. Malformed JSON is the route's to answer (400).
    const body: unknown = await c.req.json().catch(() => undefined);
    const field = illFormedPath(body);
    if (field !== null) {
      throw new AppError('validation_failed', 'Some fields are invalid.', [
        { field, in: 'json', message: 'text must be well-formed Unicode (a lone surrogate is not)' },
      ]);
    }
  }
  await next();
});
