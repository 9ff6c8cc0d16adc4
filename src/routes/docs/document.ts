// The OpenAPI 3.1 document of the app, built from the routes' own createRoute() definitions. It depends on
// nothing but the registered routes, so it is built once per isolate, on first use (after createApp()
// registered every route), and shared by /openapi.json and /docs.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../app-env.ts';

export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const description = `ParkEdge is a parking-management API running at the edge: accounts, parking lots with live spot
availability, reservations (reserve → park → release, or cancel) and reports.

**Conventions.** JSON in and out with \`snake_case\` fields; ids are integers, times ISO-8601 UTC strings,
money integer cents (\`*_cents\`). A single entity comes back bare (\`{"id": 7, ...}\`), a list as a page,
\`{"data": [...], "next_cursor": "…" | null}\`: send \`?limit=\` (1–500, default 100) and the \`next_cursor\` of the
previous page as \`?cursor=\` for the next one, until it is null. Every response carries \`X-Request-Id\`: a well-formed incoming one (1–128 characters of
\`A-Z a-z 0-9 . _ -\`) is echoed, otherwise one is generated; quote it when reporting a problem.

**Errors.** Every error has one shape, \`{"error": {"code": "snake_case_code", "message": "a sentence", "details": ...}}\`,
with the status of its code: 400 \`invalid_json\`, 401 \`unauthorized\` or \`invalid_credentials\`, 403 \`forbidden\`,
404 \`not_found\`, 409 a conflict with its own code (\`email_taken\`, \`lot_full\`, \`vehicle_already_parked\`,
\`invalid_transition\`, \`spots_in_use\`, \`user_has_active_reservation\`, \`delivery_pending\`, \`webhook_disabled\`), 413 \`payload_too_large\` (bodies over
64 KiB), 415 \`unsupported_media_type\` (a body that is not \`application/json\`), 422 \`validation_failed\` (\`details\`
lists each bad field as \`{field, in, message}\`) or \`idempotency_key_reused\`, 429 \`rate_limited\`, 503
\`database_unavailable\`. \`details\` is optional. A response never holds a stack trace or SQL.

**Authentication.** Send \`Authorization: Bearer <token>\`, with the token from \`POST /auth/register\` or
\`POST /auth/login\`. A token is valid for 12 hours; \`POST /auth/logout\` ends it at once. Roles are \`user\` and
\`admin\`; operations marked *Bearer token* need one, and some of them an admin. An open operation still answers
401 to a malformed, expired or signed-out token: send none rather than a stale one.

**Rate limits.** Per endpoint, in a sliding one-hour window: 50 requests per signed-in user, 100 per client IP for
anonymous callers (both configurable); failed sign-ins: 10 per 15 minutes per IP and email. Limited responses
carry \`RateLimit-Limit\`, \`RateLimit-Remaining\` and \`RateLimit-Reset\` (seconds); a 429 also \`Retry-After\`
(seconds). The health checks are never limited.

**Idempotency-Key.** \`POST /reservations\` accepts an \`Idempotency-Key\` header (1–255 visible ASCII characters),
kept per user for 24 hours: a retry with the same key and body gets the first answer again, status and body, with
\`Idempotent-Replayed: true\`, instead of booking a second spot; the same key with another body is 422
\`idempotency_key_reused\`. It holds even while Redis is down.`;

// Tags in reading order; a route tagged with a name missing here is still listed, after these.
const tagDescriptions: [name: string, description: string][] = [
  ['Accounts', 'Register, sign in and out, and who am I.'],
  ['Users', 'User accounts: admins manage everyone, a user sees and changes themself.'],
  ['Parking lots', 'Lots and their spots, with live availability.'],
  ['Reservations', 'Book a spot, park, release (with the cost) or cancel.'],
  ['Webhooks', 'For operators: signed notifications of reservations and lots (Standard Webhooks), with a delivery log.'],
  ['Waitlist', 'Queue for a full lot: a freed spot is held for the head of the queue for a few minutes, to accept as a reservation.'],
  ['Reports', 'Occupancy, revenue and usage: for admins over everything, for users over their own history.'],
  ['Admin dashboard', 'The Redis dashboard for admins, and the forms that sign a browser in and out.'],
  ['Health', 'For uptime monitors: never rate limited, no authentication.'],
  ['Documentation', 'This reference and the OpenAPI document it is rendered from.'],
];

/** Registers what the routes refer to (the bearer scheme); called once, when the app is assembled. */
export function registerDocumentComponents(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'The token from `POST /auth/register` or `POST /auth/login`, valid 12 hours.',
  });
}

function usedTags(paths: OpenApiDocument['paths']): string[] {
  const used = new Set<string>();
  for (const item of Object.values(paths ?? {})) {
    for (const operation of Object.values(item ?? {})) {
      if (operation && typeof operation === 'object' && 'responses' in operation) {
        for (const tag of (operation as { tags?: string[] }).tags ?? []) used.add(tag);
      }
    }
  }
  return [...used];
}

export function buildDocument(app: OpenAPIHono<AppEnv>): OpenApiDocument {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'ParkEdge', version: '0.1.0', description },
  });
  // Only tags that some route uses, the known ones first in reading order.
  const used = usedTags(document.paths);
  const known = tagDescriptions.filter(([name]) => used.includes(name)).map(([name, text]) => ({ name, description: text }));
  const others = used.filter((name) => !tagDescriptions.some(([known]) => known === name)).sort().map((name) => ({ name }));
  document.tags = [...known, ...others];
  // An empty `webhooks: {}` adds nothing and trips some older tools.
  if (document.webhooks && Object.keys(document.webhooks).length === 0) delete document.webhooks;
  return document;
}
