// npm run bench:reports — what /reports and /user-reports cost on a large data set (bench/seed-scale.ts): each
// case runs the services' own code through the Neon stand-in (the driver, its JSON, as in the Worker), and
// every statement it sent is run again under EXPLAIN (ANALYZE, BUFFERS) on the same database. Prints, per case:
// the median time of the service call, its statements (rows, execution time, shared buffers) and whether any
// plan scans a large table sequentially. BENCH_PLANS=1 prints the plans too.
//
//   npm run bench:reports                 # the scale sizes (seeding takes a few minutes), then the cases
//   BENCH_KEEP=1 npm run bench:reports    # reuse the seeded database of the previous run
//   BENCH_SIZES=small npm run bench:reports
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { ensureDatabase, migrateDatabase, useSqlEndpoint } from '../dev/lib/database.ts';
import { PostgresBackend } from '../dev/neon-http/backends.ts';
import { startNeonHttp } from '../dev/neon-http/server.ts';
import { makeDeps, type Deps } from '../src/deps.ts';
import type { Env } from '../src/env.ts';
import { cases, type Case } from './report-cases.ts';
import { SCALE_SIZES, seedScale, type ScaleSizes } from './seed-scale.ts';

const SMALL: ScaleSizes = { users: 1_000, lots: 50, spots: 2_000, reservations: 10_000, days: 90, activeShare: 0.3 };
const sizes = process.env.BENCH_SIZES === 'small' ? SMALL : SCALE_SIZES;
const databaseUrl = process.env.BENCH_DATABASE_URL ?? `postgresql://postgres@127.0.0.1:5432/parkedge_bench_reports${sizes === SMALL ? '_small' : ''}`;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** A table this large scanned whole on a request path makes the request grow with the data. */
const LARGE_TABLE_ROWS = 10_000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function scans(node: PlanNode, found: string[] = []): string[] {
  if (node['Relation Name']) found.push(`${node['Node Type']} on ${node['Relation Name']}${node['Index Name'] ? ` (${node['Index Name']})` : ''}`);
  for (const child of node.Plans ?? []) scans(child, found);
  return found;
}

/** The deps of one call, with every statement recorded as the SQL text and parameters it became. */
function recordingDeps(env: Env, statements: { sql: string; params: unknown[] }[]): Deps {
  const deps = makeDeps(env);
  const dialect = new PgDialect();
  const execute = deps.db.execute.bind(deps.db);
  deps.db.execute = ((query: SQL) => {
    statements.push(dialect.sqlToQuery(query));
    return execute(query);
  }) as typeof deps.db.execute;
  return deps;
}

async function explain(client: pg.Client, statement: { sql: string; params: unknown[] }) {
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement.sql}`, statement.params);
  const [result] = rows[0]['QUERY PLAN'] as [{ Plan: PlanNode & { 'Actual Rows': number; 'Shared Hit Blocks': number; 'Shared Read Blocks': number }; 'Execution Time': number; 'Planning Time': number }];
  const text = process.env.BENCH_PLANS
    ? (await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params)).rows.map((r) => r['QUERY PLAN']).join('\n')
    : '';
  return { result, text };
}

async function measure(c: Case, env: Env, client: pg.Client, large: Set<string>): Promise<void> {
  const statements: { sql: string; params: unknown[] }[] = [];
  await c.run(recordingDeps(env, statements));
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await c.run(recordingDeps(env, []));
    times.push(performance.now() - started);
  }
  console.log(`\n## ${c.name}: median ${ms(median(times))} over ${RUNS} calls, ${statements.length} statement(s)`);
  for (const [i, statement] of statements.entries()) {
    if (i >= 3 && i < statements.length - 1) {
      if (i === 3) console.log(`  … ${statements.length - 4} more pages like the ones before`);
      continue;
    }
    const { result, text } = await explain(client, statement);
    const plan = result.Plan;
    const all = scans(plan);
    const sequential = all.filter((s) => s.startsWith('Seq Scan') && large.has(s.slice('Seq Scan on '.length)));
    console.log(
      `  statement ${i + 1}: execution ${ms(result['Execution Time'])} (planning ${ms(result['Planning Time'])}), ` +
        `buffers hit ${plan['Shared Hit Blocks']} read ${plan['Shared Read Blocks']}, ` +
        `sequential scans of large tables: ${sequential.length === 0 ? 'none' : sequential.join(', ')}`,
    );
    console.log(`    scans: ${[...new Set(all)].join('; ')}`);
    if (text) console.log(text.replace(/^/gm, '    | '));
  }
}

const neonHttp = await startNeonHttp({ backend: new PostgresBackend() });
try {
  useSqlEndpoint(neonHttp.sqlEndpoint);
  await ensureDatabase(databaseUrl, { recreate: !process.env.BENCH_KEEP });
  const migrating = performance.now();
  await migrateDatabase(databaseUrl);
  console.log(`migrations applied in ${ms(performance.now() - migrating)}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM reservations');
    if (rows[0]!.n === 0) {
      const seeded = await seedScale(databaseUrl, sizes);
      console.log(`seeded in ${seeded.seconds} s (the aggregates rebuilt in ${seeded.rebuildSeconds} s of it):`, JSON.stringify(seeded.sizes));
    }
    const env = { DATABASE_URL: databaseUrl, NEON_HTTP_ENDPOINT: neonHttp.sqlEndpoint, ENVIRONMENT: 'development', DATABASE_TIMEOUT_MS: '60000' } as unknown as Env;
    const facts = await client.query<{ reservations: number; heavy: number; heavy_count: number; typical: number; typical_count: number; late_lot: number | null }>(`
      WITH per_user AS (SELECT user_id, count(*)::int AS n FROM reservations WHERE user_id IS NOT NULL GROUP BY user_id)
      SELECT (SELECT count(*)::int FROM reservations) AS reservations,
             (SELECT user_id FROM per_user ORDER BY n DESC LIMIT 1) AS heavy, (SELECT max(n) FROM per_user) AS heavy_count,
             (SELECT user_id FROM per_user ORDER BY abs(n - 10), user_id LIMIT 1) AS typical,
             (SELECT n FROM per_user ORDER BY abs(n - 10), user_id LIMIT 1) AS typical_count,
             (SELECT id FROM parking_lots ORDER BY id DESC OFFSET 250 LIMIT 1) AS late_lot`);
    const f = facts.rows[0]!;
    const middle = await client.query<{ id: number }>('SELECT id FROM reservations WHERE user_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1', [f.heavy, Math.floor(f.heavy_count / 2)]);
    console.log(`${f.reservations} reservations; heavy user ${f.heavy} holds ${f.heavy_count}, typical user ${f.typical} holds ${f.typical_count}`);
    const tables = await client.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples > $1`,
      [LARGE_TABLE_ROWS],
    );
    const large = new Set(tables.rows.map((t) => t.relname));
    console.log(`tables over ${LARGE_TABLE_ROWS} rows: ${[...large].join(', ') || 'none'}`);
    for (const c of cases({ heavyUserId: f.heavy, typicalUserId: f.typical, lateLotId: f.late_lot ?? 0, middleReservationId: middle.rows[0]?.id ?? 0 })) await measure(c, env, client, large);
  } finally {
    await client.end();
  }
} finally {
  await neonHttp.close();
}
