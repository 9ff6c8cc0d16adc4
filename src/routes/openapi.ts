// Shared pieces of the route definitions: the error envelope's schema and the responses every route
// documents, so /openapi.json lists each route's errors with the contract's codes.
import { z } from '@hono/zod-openapi';
import { errorStatus, type ErrorCode } from '../errors.ts';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

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
 * limited and may find the database down; a route that takes a body (it lists `invalid_json`) may also get
 * one that is too large or not JSON.
 */
export function errors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  const bodyCodes: ErrorCode[] = codes.includes('invalid_json') ? ['payload_too_large', 'unsupported_media_type'] : [];
  for (const code of [...codes, ...bodyCodes, 'database_unavailable', 'service_misconfigured', 'rate_limited'] as ErrorCode[]) {
    const status = errorStatus[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: `${descriptions[status] ?? 'Error'} (${list.map((c) => `\`${c}\``).join(', ')})`,
        content: { 'application/json': { schema: ErrorSchema } },
      },
    ]),
  );
}

export const IdParam = z.object({
  id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' }, example: 7 }),
});

export const bearerSecurity = [{ bearerAuth: [] }];
