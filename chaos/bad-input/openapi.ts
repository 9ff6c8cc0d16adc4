// The operations of the Worker's own OpenAPI document (GET /openapi.json) and what each documents about its
// answers: the corpus is generated from the former and every answer is judged against the latter and the
// error table of src/errors.ts.
import { errorStatus, type ErrorCode } from '../../src/errors.ts';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
  example?: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** The path template, e.g. `/users/{id}`. */
  path: string;
  signedIn: boolean;
  parameters: Parameter[];
  /** The request body's media type and schema, when it takes one. */
  body: { mediaType: string; schema: JsonSchema } | null;
  /** Documented statuses and, for each, its media types and whether its JSON is the error envelope. */
  responses: Record<string, { mediaTypes: string[]; errorEnvelope: boolean }>;
}

interface Document {
  paths: Record<string, Record<string, {
    security?: unknown[];
    parameters?: Parameter[];
    requestBody?: { content: Record<string, { schema: JsonSchema }> };
    responses: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
  }>>;
  components: { schemas: Record<string, JsonSchema> };
}

export async function loadOperations(origin: string): Promise<Operation[]> {
  const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as Document;
  const resolve = (schema: JsonSchema): JsonSchema => {
    if (!schema.$ref) return schema;
    const target = doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return resolve(target);
  };
  const deep = (schema: JsonSchema): JsonSchema => {
    const s = resolve(schema);
    return s.properties ? { ...s, properties: Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, deep(v)])) } : s;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const [mediaType, content] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        signedIn: (op.security ?? []).length > 0,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: deep(p.schema) })),
        body: mediaType && content ? { mediaType, schema: deep(content.schema) } : null,
        responses: Object.fromEntries(
          Object.entries(op.responses).map(([status, r]) => [
            status,
            {
              mediaTypes: Object.keys(r.content ?? {}),
              errorEnvelope: r.content?.['application/json']?.schema?.$ref === '#/components/schemas/Error',
            },
          ]),
        ),
      });
    }
  }
  return operations;
}

/** The operation a method and concrete path reach, a literal segment beating a parameter, as in the router. */
export function routeOf(operations: Operation[], method: string, path: string): Operation | undefined {
  const asGet = method === 'HEAD' ? 'GET' : method;
  const matches = operations.filter((op) => op.method === asGet && new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
  return matches.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0))[0];
}

/** Why an error answer breaks the contract's envelope, or null when it keeps to it. */
export function envelopeViolation(status: number, body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body is not a JSON object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return `top-level keys ${JSON.stringify(keys)}, not just "error"`;
  const error = (body as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return '"error" is not an object';
  const { code, message, ...rest } = error as Record<string, unknown>;
  const extra = Object.keys(rest).filter((k) => k !== 'details');
  if (extra.length) return `unexpected fields in "error": ${extra.join(', ')}`;
  if (typeof message !== 'string' || message === '') return 'no message';
  if (typeof code !== 'string' || !(code in errorStatus)) return `code ${JSON.stringify(code)} is not in the error table`;
  if (errorStatus[code as ErrorCode] !== status) return `code ${code} is ${errorStatus[code as ErrorCode]} in the error table, answered ${status}`;
  return null;
}

/** Why an answer breaks what the document says of the operation, or null. */
export function contractViolation(operations: Operation[], method: string, path: string, status: number, contentType: string, body: unknown): string | null {
  const op = routeOf(operations, method, path);
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (!op) return status >= 400 ? envelopeViolation(status, body) : `${status} on a path no operation documents`;
  const documented = op.responses[String(status)];
  if (!documented) return `status ${status} is not documented for ${op.method} ${op.path}`;
  if (method === 'HEAD' || status === 204 || status === 303) return null;
  if (!documented.mediaTypes.includes(mediaType)) return `${mediaType || 'no content type'} is not documented for ${status} (${documented.mediaTypes.join(', ')})`;
  if (status >= 400 && mediaType === 'application/json') {
    if (!documented.errorEnvelope) return `${status} is documented without the error envelope`;
    return envelopeViolation(status, body);
  }
  return null;
}
