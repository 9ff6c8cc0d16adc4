// What Neon's proxy refuses, refused the same way by the /sql stand-in, seen through the real driver inside
// workerd: the error the driver raises is the one the Worker would get in production, and nothing is done.
// (Sources: neondatabase/neon proxy/src/serverless/sql_over_http.rs and error.rs; the limits are Neon's
// cloud settings, see dev/neon-http/response.ts.)
import { neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const LIMIT = 64 * 1024 * 1024;
const scope = tagged();
let sql: NeonQueryFunction<false, false>;
const table = `conf_${crypto.randomUUID().replaceAll('-', '')}`;

/** Neon's body for a refusal of its own: the PostgreSQL fields are "" (code, severity) or null. */
const proxyError = (message: string) => ({
  message, code: '', detail: null, hint: null, position: null, internalPosition: null, internalQuery: null,
  severity: '', where: null, table: null, column: null, schema: null, dataType: null, constraint: null,
  file: null, line: null, routine: null,
});

/** The driver turns every status but 400 into "Server error (HTTP status N): <body>", without fields. */
function serverError(error: { name: string; message: string; code?: unknown }, status: number) {
  expect(error.name).toBe('NeonDbError');
  expect(error.code).toBeUndefined();
  const prefix = `Server error (HTTP status ${status}): `;
  expect(error.message.startsWith(prefix)).toBe(true);
  return JSON.parse(error.message.slice(prefix.length));
}

const count = async (where: string) => ((await sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)) as { n: number }[])[0]!.n;

beforeAll(async () => {
  neonConfig.fetchEndpoint = testEnv.NEON_HTTP_ENDPOINT!;
  sql = neon(scope.env.DATABASE_URL);
  await sql.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label text)`);
});

describe('size limits (64 MiB each way)', () => {
  const query = `INSERT INTO ${table} (id, label) VALUES (1, $1) RETURNING length(label) AS n`;
  const envelope = JSON.stringify({ query, params: [''] }).length;

  it('takes a request body of exactly 64 MiB', async () => {
    expect(await sql.query(query, ['x'.repeat(LIMIT - envelope)])).toEqual([{ n: LIMIT - envelope }]);
    await sql.query(`DELETE FROM ${table} WHERE id = 1`);
  });

  it('refuses one byte more with 413 "request is too large", and runs nothing', async () => {
    const error = await sql.query(query, ['x'.repeat(LIMIT - envelope + 1)]).catch((e) => e);
    expect(serverError(error, 413)).toEqual(proxyError(`request is too large (max is ${LIMIT} bytes)`));
    expect(await count('id = 1')).toBe(0);
  });

  it('refuses with 507 "response is too large" an answer that grows past 64 MiB', async () => {
    const error = await sql`SELECT repeat('x', 1048576) AS mib FROM generate_series(1, 70)`.catch((e) => e);
    expect(serverError(error, 507)).toEqual(proxyError(`response is too large (max is ${LIMIT} bytes)`));
  });

  it('rolls a whole batch back when its answer grows too large', async () => {
    const error = await sql
      .transaction([sql.query(`INSERT INTO ${table} (id, label) VALUES (2, 'kept?')`), sql`SELECT repeat('x', 1048576) FROM generate_series(1, 70)`])
      .catch((e) => e);
    expect(serverError(error, 507).message).toBe(`response is too large (max is ${LIMIT} bytes)`);
    expect(await count('id = 2')).toBe(0);
  });
});

describe('strings serde_json refuses', () => {
  it('refuses a lone surrogate in a parameter with 400 and no SQLSTATE, and stores nothing', async () => {
    const query = `INSERT INTO ${table} (id, label) VALUES (3, $1)`;
    const error = await sql.query(query, ['lot \ud800']).catch((e) => e);
    const column = JSON.stringify({ query, params: ['lot \ud800'] }).indexOf('\\ud800') + 7;
    expect(error.name).toBe('NeonDbError');
    expect(error.message).toBe(`could not parse the HTTP request body: unexpected end of hex escape at line 1 column ${column}`);
    expect(error.code).toBe(''); // not a SQLSTATE: the app counts such an error as "database unavailable"
    expect(await count('id = 3')).toBe(0);
  });

  it('refuses a lone trailing surrogate in the query text too', async () => {
    const error = await sql.query(`SELECT '\udc00' AS s`).catch((e) => e);
    expect(error.message).toMatch(/^could not parse the HTTP request body: lone leading surrogate in hex escape at line 1 column \d+$/);
    expect(error.code).toBe('');
  });

  it('refuses bytes that are not UTF-8 (which Node would have read as U+FFFD)', async () => {
    const prefix = new TextEncoder().encode('{"query":"SELECT $1::text AS s","params":["');
    const body = new Uint8Array([...prefix, 0xed, 0xa0, 0x80, ...new TextEncoder().encode('"]}')]);
    const res = await fetch(testEnv.NEON_HTTP_ENDPOINT!, { method: 'POST', headers: { 'neon-connection-string': scope.env.DATABASE_URL }, body });
    expect(res.status).toBe(400);
    // serde_json checks the string when it reaches its closing quote, and counts the column in bytes.
    expect(await res.json()).toEqual(proxyError(`could not parse the HTTP request body: invalid unicode code point at line 1 column ${prefix.length + 4}`));
  });

  it('takes a surrogate pair, escaped or not', async () => {
    expect(await sql`SELECT ${'🚗'}::text AS s`).toEqual([{ s: '🚗' }]);
    const res = await fetch(testEnv.NEON_HTTP_ENDPOINT!, {
      method: 'POST',
      headers: { 'neon-connection-string': scope.env.DATABASE_URL, 'neon-array-mode': 'true' },
      body: '{"query":"SELECT $1::text AS s","params":["\\ud83d\\ude97"]}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown }).rows).toEqual([['🚗']]);
  });
});

describe('one statement per query (the extended protocol)', () => {
  it('refuses two statements in one query with 42601, and runs neither', async () => {
    const error = await sql.query(`INSERT INTO ${table} (id, label) VALUES (4, 'first'); SELECT 1`).catch((e) => e);
    expect(error.name).toBe('NeonDbError');
    expect(error.code).toBe('42601');
    expect(error.message).toBe('cannot insert multiple commands into a prepared statement');
    expect(await count('id = 4')).toBe(0);
  });

  it('refuses them inside a batch too, rolling the batch back', async () => {
    const error = await sql
      .transaction([sql.query(`INSERT INTO ${table} (id, label) VALUES (5, 'a')`), sql.query('SELECT 1; SELECT 2')])
      .catch((e) => e);
    expect(error.code).toBe('42601');
    expect(await count('id = 5')).toBe(0);
  });
});
