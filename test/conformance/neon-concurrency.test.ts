// The race tests (test/domain/races.test.ts, concurrency.test.ts) prove something only where requests to the
// Neon stand-in run at the same time, on a real PostgreSQL. Embedded PGlite runs one statement at a time, so
// there a race cannot happen and a race test cannot fail: this test fails instead, so that a run on PGlite
// cannot pass vacuously. `.ci/run` starts a real PostgreSQL; locally, run one on 127.0.0.1:5432.
import { neon, neonConfig, type NeonQueryFunction } from '@neondatabase/serverless';
import { beforeAll, expect, it } from 'vitest';
import { testEnv } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const scope = tagged();
let sql: NeonQueryFunction<false, false>;
const suffix = crypto.randomUUID().replaceAll('-', '');
const signals = `conf_signal_${suffix}`;
const waitFor = `conf_wait_for_${suffix}`;

beforeAll(async () => {
  neonConfig.fetchEndpoint = testEnv.NEON_HTTP_ENDPOINT!;
  sql = neon(scope.env.DATABASE_URL);
  await sql.query(`CREATE TABLE ${signals} (token text PRIMARY KEY)`);
  // True as soon as another request has written the token; false after `seconds` without it.
  await sql.query(`
    CREATE FUNCTION ${waitFor}(wanted text, seconds float8) RETURNS boolean LANGUAGE plpgsql AS $$
    DECLARE deadline timestamptz := clock_timestamp() + make_interval(secs => seconds);
    BEGIN
      LOOP
        IF EXISTS (SELECT 1 FROM ${signals} WHERE token = wanted) THEN RETURN true; END IF;
        IF clock_timestamp() > deadline THEN RETURN false; END IF;
        PERFORM pg_sleep(0.01);
      END LOOP;
    END $$`);
});

it('runs a request while another one is still running (real PostgreSQL, not PGlite)', async () => {
  const token = crypto.randomUUID();
  let finished = false;
  // The token is in the statement's text, so that pg_stat_activity shows which statement it is.
  const waiting = sql.query(`SELECT ${waitFor}('${token}', 10) AS seen`).finally(() => (finished = true));
  let running = 0;
  while (!finished && running === 0) {
    const rows = (await sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1`, [`%${token}%`])) as { n: number }[];
    running = rows[0]!.n;
  }
  await sql.query(`INSERT INTO ${signals} (token) VALUES ($1)`, [token]);
  const rows = (await waiting) as { seen: boolean }[];
  expect(rows[0]?.seen, 'the Neon stand-in served these requests one at a time (embedded PGlite?): race tests need a real PostgreSQL').toBe(true);
});
