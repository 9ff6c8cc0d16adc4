// The Neon-compatible /sql stand-in, driven by the real @neondatabase/serverless driver from inside workerd:
// types come back as the driver parses them from PostgreSQL's text format, errors carry PostgreSQL's fields,
// transaction batches honour their options and roll back whole.
import { neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const scope = tagged();
let sql: NeonQueryFunction<false, false>;
const table = `conf_${crypto.randomUUID().replaceAll('-', '')}`;

beforeAll(async () => {
  neonConfig.fetchEndpoint = testEnv.NEON_HTTP_ENDPOINT!;
  sql = neon(scope.env.DATABASE_URL);
  await sql.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text UNIQUE, amount int CHECK (amount >= 0))`);
});

describe('types', () => {
  it('parses int, int8, numeric, bool, text, timestamptz, date, jsonb, arrays and NULL', async () => {
    const [row] = await sql`
      SELECT 42::int AS int4, 9007199254740993::int8 AS int8, 12.50::numeric AS num, true AS yes,
             ${"O'Brien said \"hi\""}::text AS quoted, '2026-11-26T10:11:12.345Z'::timestamptz AS at,
             '2026-02-28'::date AS day, '{"a": [1, {"b": null}]}'::jsonb AS doc,
             ARRAY[1, 2, 3] AS ints, ARRAY['x', NULL, 'z,w'] AS texts, NULL::text AS nothing`;
    expect(row).toEqual({
      int4: 42,
      int8: '9007199254740993',
      num: '12.50',
      yes: true,
      quoted: `O'Brien said "hi"`,
      at: new Date('2026-11-26T10:11:12.345Z'),
      day: new Date('2026-02-28T00:00:00.000Z'),
      doc: { a: [1, { b: null }] },
      ints: [1, 2, 3],
      texts: ['x', null, 'z,w'],
      nothing: null,
    });
  });

  it('sends parameters of every kind', async () => {
    const [row] = await sql`SELECT ${5}::int + 1 AS n, ${[1, 2]}::int[] AS arr, ${{ k: 'v' }}::jsonb AS doc, ${null}::int AS nil, ${new Date('2026-01-01T00:00:00Z')}::timestamptz AS at`;
    expect(row).toEqual({ n: 6, arr: [1, 2], doc: { k: 'v' }, nil: null, at: new Date('2026-01-01T00:00:00Z') });
  });
});

describe('errors', () => {
  it('reports a unique violation with code, constraint and detail', async () => {
    await sql.query(`INSERT INTO ${table} (id, label, amount) VALUES (1, 'one', 1)`);
    const error = await sql.query(`INSERT INTO ${table} (id, label, amount) VALUES (2, 'one', 1)`).catch((e) => e);
    expect(error.name).toBe('NeonDbError');
    expect(error.code).toBe('23505');
    expect(error.constraint).toBe(`${table}_label_key`);
    expect(error.detail).toMatch(/Key \(label\)=\(one\) already exists/);
  });

  it.each([
    ['division by zero', 'SELECT 1/0', '22012'],
    ['an unknown table', 'SELECT * FROM no_such_table_here', '42P01'],
    ['a check constraint', `INSERT INTO ${table} (id, label, amount) VALUES (3, 'neg', -1)`, '23514'],
    ['a syntax error', 'SELEKT 1', '42601'],
  ])('reports %s with its SQLSTATE', async (_what, query, code) => {
    await expect(sql.query(query)).rejects.toMatchObject({ code });
  });
});

describe('transactions', () => {
  it('runs a batch in one request and rolls it back whole on error', async () => {
    const before = await scope.requestsServed('neon');
    const error = await sql
      .transaction([sql.query(`INSERT INTO ${table} (id, label, amount) VALUES (10, 'ten', 1)`), sql.query(`INSERT INTO ${table} (id, label, amount) VALUES (10, 'again', 1)`)])
      .catch((e) => e);
    expect(error.code).toBe('23505');
    expect(await scope.requestsServed('neon')).toBe(before + 1);
    expect(await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE id = 10`)).toEqual([{ n: 0 }]);
  });

  it('honours isolation level, read-only and deferrable', async () => {
    const results = (await sql.transaction(
      [sql`SELECT current_setting('transaction_isolation') AS level`, sql`SELECT current_setting('transaction_read_only') AS ro`],
      { isolationLevel: 'Serializable', readOnly: true, deferrable: true },
    )) as Record<string, unknown>[][];
    expect(results).toEqual([[{ level: 'serializable' }], [{ ro: 'on' }]]);
    await expect(sql.transaction([sql.query(`INSERT INTO ${table} (id, label, amount) VALUES (20, 'x', 1)`)], { readOnly: true })).rejects.toMatchObject({ code: '25006' });
  });
});

describe('the endpoint itself', () => {
  it('refuses malformed bodies with 400 and a message, as the proxy words it', async () => {
    const post = (body: string) => fetch(testEnv.NEON_HTTP_ENDPOINT!, { method: 'POST', headers: { 'neon-connection-string': testEnv.DATABASE_URL }, body });
    const notJson = await post('{nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ message: expect.stringMatching(/^could not parse the HTTP request body: /), code: '', severity: '', detail: null });
    const noQuery = await post('{"params": []}');
    expect(noQuery.status).toBe(400);
    expect(((await noQuery.json()) as { message: string }).message).toBe('could not parse the HTTP request body: data did not match any variant of untagged enum Payload');
  });

  it('answers 503 when PostgreSQL cannot be reached, which the driver reports without a SQLSTATE', async () => {
    const unreachable = neon('postgresql://postgres@127.0.0.1:1/nowhere');
    const error = await unreachable`SELECT 1`.catch((e) => e);
    expect(error.message).toMatch(/HTTP status 503/);
    expect(error.code).toBeUndefined();
  });

  it('can add a delay to every request, to stand for the distance to the region', async () => {
    await scope.configure('neon', { delay_ms: 150 });
    const started = performance.now();
    await sql`SELECT 1`;
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await scope.configure('neon', { delay_ms: 0 });
  });
});
