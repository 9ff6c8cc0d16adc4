// Shared pieces of the route definitions: bodies and responses in JSON, the errors every route documents (so
// /openapi.json lists each route's errors with the contract's codes), the id path parameter.
import { z } from 'zod';
import { errorStatus, type ErrorCode } from '../errors.ts';
import { ErrorSchema } from '../schemas/errors.ts';
import { DbIdText } from '../schemas/fields.ts';

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});

const descriptions: Record<number, string> = {
  400: 'The body is not valid JSON',
  401: 'Missing, invalid or expired credentials',
  403: 'Signed in, but not allowed to do this',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  413: 'The body is larger than 64 KiB',
  415: 'The body is not sent as application/json',
  422: 'A field, query or path parameter is invalid',
  429: 'Too many requests; see Retry-After',
  503: 'The database is unavailable, or the service is misconfigured',
};

/**
 * The error responses of a route, grouped by status, each naming its possible codes. Every route may be rate
 * limited, refuses a malformed bearer token (401, even where none is needed), may find the database down, and may be sent a body over the limit or a JSON body with a lone
 * surrogate (both checked before routing, whether the route takes a body or not: 413, 422); a route that takes
 * a body (it lists `invalid_json`) may also get one that is not JSON.
 */
type ErrorResponse = { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } };
type Always = 'unauthorized' | 'database_unavailable' | 'service_misconfigured' | 'rate_limited' | 'payload_too_large' | 'validation_failed';

export function errors<C extends ErrorCode = never>(...codes: C[]): Record<(typeof errorStatus)[C | Always], ErrorResponse> {
  const byStatus = new Map<number, ErrorCode[]>();
  const bodyCodes: ErrorCode[] = (codes as ErrorCode[]).includes('invalid_json') ? ['unsupported_media_type'] : [];
  for (const code of [...codes, ...bodyCodes, 'unauthorized', 'payload_too_large', 'validation_failed', 'database_unavailable', 'service_misconfigured', 'rate_limited'] as ErrorCode[]) {
    const status = errorStatus[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]): [number, ErrorResponse] => [
      status,
      {
        description: `${descriptions[status] ?? 'Error'} (${list.map((c) => `\`${c}\``).join(', ')})`,
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  ) as Record<(typeof errorStatus)[C | Always], ErrorResponse>;
}

export const IdParam = z.object({ id: DbIdText.meta({ param: { name: 'id', in: 'path' }, example: 7 }) });
