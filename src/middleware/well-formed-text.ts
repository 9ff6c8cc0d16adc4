// Text is well-formed Unicode (SPEC). A JSON string may carry a lone surrogate (`"\ud800"`): JavaScript parses
// it, but Neon's proxy refuses the query that carries it (the driver's error has no SQLSTATE, so it would look
// like an outage) and PostgreSQL has no way to store it. So it is refused here, at the edge, for every route,
// as 422 naming the field. JSON is the only way in for one: percent-decoding and form decoding never produce a
// lone surrogate, and header values are bytes.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

interface Visit {
  value: unknown;
  key: string | null;
  parent: Visit | null;
}

const pathOf = (visit: Visit): string => {
  const keys: string[] = [];
  for (let v: Visit | null = visit; v && v.key !== null; v = v.parent) keys.unshift(v.key);
  return keys.join('.') || '(root)';
};

/**
 * The path of the first string (value or key) that is not well-formed, or null. A walk with a stack of its own,
 * not recursion: a body of 64 KiB can nest tens of thousands of levels deep, past the call stack.
 */
export function illFormedPath(body: unknown): string | null {
  const stack: Visit[] = [{ value: body, key: null, parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return pathOf(visit);
    } else if (value !== null && typeof value === 'object') {
      const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
      // Reversed onto the stack, so that the first bad string in document order is the one named.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        if (!Array.isArray(value) && !key.isWellFormed()) return pathOf({ value: item, key: key.toWellFormed(), parent: visit });
        stack.push({ value: item, key, parent: visit });
      }
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
