// A generated request for one operation of the document: its method (now and then another, or HEAD), the
// path with a good or a bad id, documented and undocumented query parameters with bad values, credentials
// good, missing, forged or malformed, odd headers, and a body built from the operation's schema and then
// broken (a field dropped, retyped, oversized, repeated, an extra or `__proto__` key) — or no JSON at all.
import fc from 'fast-check';
import type { JsonSchema, Operation } from './openapi.ts';
import { badIdSegment, badValue, brokenBody, encodeLoose, latin1Text, nastyString, strangeKey, toJsonText, type Json } from './values.ts';

/** Who the request claims to be: a live account of the corpus, nobody, or an Authorization header as given. */
export type Credentials = 'admin' | 'user' | 'none' | { header: string } | { forged: 'admin' | 'user'; how: 'suffix' | 'truncate' | 'other-id' | 'lowercase' | 'no-scheme' };

export interface FuzzRequest {
  method: string;
  path: string;
  /** The id segment: the corpus' own object of that path (`own`), or an encoded segment. */
  id: 'own' | string;
  query: [string, string][];
  credentials: Credentials;
  headers: Record<string, string>;
  /** The body's text; `__LOT_ID__` stands for the corpus' lot. */
  body: string | null;
}

const LOT_ID = '__LOT_ID__';

/** A value the schema accepts (most of the time: patterns and formats are approximated). */
function valid(schema: JsonSchema, name: string): fc.Arbitrary<Json> {
  if (name === 'lot_id') return fc.constant<Json>({ raw: LOT_ID });
  if (schema.enum) return fc.constantFrom(...(schema.enum as Json[]));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const nullable = types.includes('null');
  let base: fc.Arbitrary<Json>;
  if (types.includes('integer')) {
    base = fc.integer({ min: schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? -1000), max: schema.maximum ?? 1000 });
  } else if (types.includes('number')) {
    base = fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
  } else if (schema.format === 'email') {
    base = fc.emailAddress().filter((e) => e.length <= (schema.maxLength ?? 254));
  } else if (schema.pattern && !schema.pattern.startsWith('^[^')) {
    base = fc.stringMatching(new RegExp(schema.pattern));
  } else if (types.includes('string')) {
    base = fc.string({ unit: 'grapheme-ascii', minLength: Math.max(schema.minLength ?? 0, 1), maxLength: Math.min(schema.maxLength ?? 30, 30) }).filter((s) => s.trim() !== '');
  } else {
    base = fc.constant<Json>(null);
  }
  return nullable ? fc.oneof({ weight: 4, arbitrary: base }, fc.constant<Json>(null)) : base;
}

type Mutation = { drop: string } | { set: string; value: Json } | { extra: string; value: Json } | { twice: string; value: Json };

function objectBody(schema: JsonSchema): fc.Arbitrary<string> {
  const props = Object.entries(schema.properties ?? {});
  const names = props.map(([name]) => name);
  const record = fc.record(Object.fromEntries(props.map(([name, s]) => [name, valid(s, name)])), { requiredKeys: schema.required ?? [] });
  const known = names.length ? fc.constantFrom(...names) : fc.constant('x');
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    known.map((drop) => ({ drop })),
    fc.record({ set: known, value: badValue }),
    fc.record({ extra: strangeKey, value: fc.oneof(badValue, fc.constant<Json>({ entries: [['role', 'admin']] })) }),
    fc.record({ twice: known, value: badValue }),
  );
  return fc.tuple(record, fc.array(mutation, { maxLength: 3 })).map(([fields, mutations]) => {
    let entries: [string, Json][] = Object.entries(fields as Record<string, Json>);
    for (const m of mutations) {
      if ('drop' in m) entries = entries.filter(([k]) => k !== m.drop);
      else if ('set' in m) entries = [...entries.filter(([k]) => k !== m.set), [m.set, m.value]];
      else if ('extra' in m) entries = [...entries, [m.extra, m.value]];
      else entries = [...entries, [m.twice, m.value]];
    }
    return toJsonText({ entries });
  });
}

function formBody(schema: JsonSchema): fc.Arbitrary<string> {
  const names = Object.keys(schema.properties ?? {});
  return fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...names), strangeKey), fc.oneof(nastyString, fc.constant('admin@parkedge.local'))), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join('&'));
}

function body(op: Operation): fc.Arbitrary<{ body: string | null; contentType: string | null }> {
  const mediaType = op.body?.mediaType ?? 'application/json';
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant<string | null>(mediaType) },
    fc.constantFrom<string | null>(null, 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/jsonx', 'multipart/form-data; boundary=x', '*/*'),
  );
  const text: fc.Arbitrary<string | null> = !op.body
    ? fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, brokenBody, badValue.map(toJsonText))
    : op.body.mediaType === 'application/json'
      ? fc.oneof({ weight: 6, arbitrary: objectBody(op.body.schema) }, brokenBody, badValue.map(toJsonText))
      : fc.oneof({ weight: 4, arbitrary: formBody(op.body.schema) }, brokenBody);
  return fc.record({ body: text, contentType });
}

function queryValue(schema: JsonSchema, name: string): fc.Arbitrary<string> {
  const bad = fc.oneof(
    fc.constantFrom('0', '501', '-1', 'abc', '1e2', '1.5', '', '99999999999999999999', ' 1', 'true', '[]'),
    nastyString.filter((s) => s.length < 400).map(encodeLoose),
  );
  if (name !== 'cursor') return fc.oneof(valid(schema, name).map((v) => encodeLoose(typeof v === 'string' ? v : toJsonText(v))), bad);
  // Cursors: garbage, too long, or well-formed base64url of another list's position.
  const foreign = fc.constantFrom('users', 'parking_lots', 'reservations', 'spots', '__proto__').map((list) => Buffer.from(JSON.stringify({ list, key: 1 })).toString('base64url'));
  return fc.oneof(bad, foreign, fc.constant('A'.repeat(257)));
}

const forgedCredentials: fc.Arbitrary<Credentials> = fc.oneof(
  fc.record({ forged: fc.constantFrom<'admin' | 'user'>('admin', 'user'), how: fc.constantFrom<'suffix' | 'truncate' | 'other-id' | 'lowercase' | 'no-scheme'>('suffix', 'truncate', 'other-id', 'lowercase', 'no-scheme') }),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46cGFzcw==', 'Bearer null', `Bearer pe_1_${'A'.repeat(43)}`, 'Bearer pe_0_x', `Bearer pe_99999999999_${'a'.repeat(43)}`, `Bearer ${'x'.repeat(8000)}`).map((header) => ({ header })),
  latin1Text.map((t) => ({ header: `Bearer ${t}` })),
);

export function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].filter((m) => m !== op.method);
  const method = fc.oneof({ weight: 10, arbitrary: fc.constant(op.method) }, fc.constantFrom(...(op.method === 'GET' ? ['HEAD', ...others] : others)));
  const credentials: fc.Arbitrary<Credentials> = op.signedIn
    ? fc.oneof({ weight: 3, arbitrary: fc.constant<Credentials>('admin') }, { weight: 3, arbitrary: fc.constant<Credentials>('user') }, fc.constant<Credentials>('none'), { weight: 2, arbitrary: forgedCredentials })
    : fc.oneof({ weight: 3, arbitrary: fc.constant<Credentials>('none') }, fc.constantFrom<Credentials>('user', 'admin'), forgedCredentials);
  const query = fc.tuple(
    ...op.parameters.filter((p) => p.in === 'query').map((p) => fc.option(queryValue(p.schema, p.name).map((v): [string, string] => [p.name, v]), { nil: null })),
    fc.option(fc.tuple(strangeKey.map(encodeLoose), nastyString.filter((s) => s.length < 200).map(encodeLoose)), { nil: null }),
  );
  const headers = fc.record(
    {
      'idempotency-key': fc.oneof(fc.constant(`fuzz-${Math.random().toString(36).slice(2)}`), latin1Text, fc.constant('k'.repeat(256))),
      'x-request-id': latin1Text,
      'cf-connecting-ip': fc.oneof(latin1Text, fc.constantFrom('999.999.1.1', '::1', '1.1.1.1, 2.2.2.2')),
      accept: fc.constantFrom('text/html', '*/*', 'application/xml', 'text/event-stream', 'text/csv', 'application/json;q=0'),
    },
    { requiredKeys: [] },
  );
  return fc
    .record({ method, id: fc.oneof({ weight: 2, arbitrary: fc.constant('own') }, badIdSegment), query, credentials, headers, payload: body(op) })
    .map(({ method: m, id, query: q, credentials: c, headers: h, payload }) => ({
      method: m,
      path: op.path,
      id,
      query: q.filter((pair): pair is [string, string] => pair !== null),
      credentials: c,
      headers: { ...h, ...(payload.contentType ? { 'content-type': payload.contentType } : {}) },
      body: m === 'GET' || m === 'HEAD' ? null : payload.body,
    }));
}

export { LOT_ID };
