// Every answer the tests get is held to the route's own definition — its documented statuses, media types
// and response schemas, the ones /openapi.json is generated from — so the document can never lie: an
// undocumented status, or a body that does not parse against its schema, fails the test that got it.
import type { ZodType } from 'zod';
import { createApp } from '../../src/app.ts';
import { ErrorSchema } from '../../src/schemas/errors.ts';

type Content = Record<string, { schema?: unknown }>;
interface Documented {
  method: string;
  pattern: RegExp;
  path: string;
  responses: Record<string, { content?: Content }>;
}

const routes: Documented[] = createApp()
  .openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []))
  .map((route) => ({
    method: route.method.toUpperCase(),
    path: route.path,
    pattern: new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    responses: route.responses as Documented['responses'],
  }));

export class ContractViolation extends Error {}

function route(method: string, path: string): Documented | undefined {
  const candidates = routes.filter((r) => r.method === method && r.pattern.test(path));
  // A literal segment beats a parameter, as in the router.
  return candidates.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0))[0];
}

function parse(schema: unknown, body: unknown, where: string): void {
  const result = (schema as ZodType).safeParse(body);
  if (!result.success) throw new ContractViolation(`${where}: the body does not match its documented schema: ${JSON.stringify(result.error.issues.slice(0, 5))}`);
}

/** Throws when an answer is not what its route documents. */
export function checkAgainstContract(method: string, path: string, status: number, contentType: string | null, body: unknown): void {
  const asGet = method === 'HEAD' ? 'GET' : method;
  const documented = route(asGet, path);
  const where = `${method} ${path} → ${status}`;
  if (!documented) {
    // No route: the app's 404 (or an error raised before routing, like a body too large), in the envelope.
    if (method !== 'HEAD') parse(ErrorSchema, body, where);
    return;
  }
  const response = documented.responses[String(status)];
  if (!response) throw new ContractViolation(`${where}: status ${status} is not documented for ${asGet} ${documented.path}`);
  if (method === 'HEAD' || status === 204 || status === 303) return;
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const content = response.content ?? {};
  const entry = content[mediaType];
  if (!entry) throw new ContractViolation(`${where}: ${mediaType || 'no content type'} is not documented (documented: ${Object.keys(content).join(', ') || 'none'})`);
  if (mediaType === 'application/json') parse(entry.schema, body, where);
}
