// npm run bench:occupancy — what the hourly occupancy costs, in PostgreSQL itself (no Worker, no stand-in: on a
// shared two-core machine their noise is larger than what is measured), on a database of its own with BENCH_LOTS
// lots (1 000 by default) of 40 spots and a full history: a row for every lot and hour of the 58 days kept.
// 1. the trigger's time in a spot change (a booking's), the hour's row already there and the hour's first
//    change, against the availability trigger of migration 0012 in the same statement (EXPLAIN ANALYZE
//    reports each trigger's time; each statement runs in a transaction that is rolled back);
// 2. the endpoint's query over 31 days, the forecast's, and one pruning batch;
// 3. the table's size per row, and what 5 000 lots would take.
import { readdirSync, readFileSync } from 'node:fs';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import pg from 'pg';
import { batchStatement } from '../src/jobs/housekeeping.ts';
import { forecastStatement, occupancyStatement } from '../src/services/lots/occupancy-sql.ts';

const server = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const LOTS = Number(process.env.BENCH_LOTS ?? 1000);
const SPOTS = 40;
const DAYS = 58;
const RUNS = 21;
const HOUR = 3_600_000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const url = new URL(server);
const name = `parkedge_bench_occupancy_${process.pid}`;
const admin = new pg.Client({ connectionString: url.toString() });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
url.pathname = `/${name}`;
const db = new pg.Client({ connectionString: url.toString() });
await db.connect();

interface Plan {
  Triggers?: { 'Trigger Name': string; Time: number }[];
  'Execution Time': number;
}

async function explain(statement: string, params: unknown[] = [], setup: string[] = []): Promise<Plan> {
  await db.query('BEGIN');
  try {
    for (const s of setup) await db.query(s);
    const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, params);
    return (rows[0]['QUERY PLAN'] as [Plan])[0];
  } finally {
    await db.query('ROLLBACK');
  }
}

const dialect = new PgDialect();
const query = (statement: SQL) => dialect.sqlToQuery(statement);

try {
  const dir = new URL('../migrations/', import.meta.url).pathname;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    for (const statement of readFileSync(dir + file, 'utf8').split('--> statement-breakpoint')) if (statement.trim()) await db.query(statement);
  }
  const started = performance.now();
  await db.query(`INSERT INTO parking_lots (name, address, pin_code, price_per_hour_cents, capacity)
                  SELECT 'Lot ' || g, 'Street', '560001', 100, ${SPOTS} FROM generate_series(1, ${LOTS}) g`);
  await db.query(`INSERT INTO spots (lot_id, number) SELECT l.id, n FROM parking_lots l, generate_series(1, ${SPOTS}) n`);
  const now = Date.now();
  const H = now - (now % HOUR);
  // Every lot and hour before this one: the most rows the retention leaves (a busy lot's history).
  await db.query(`
    INSERT INTO lot_occupancy_hours (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
    SELECT l.id, h, v.lo, v.lo + 5, (v.lo + 2) * 3600.0, v.lo + 3, ${SPOTS}, h + interval '50 minutes'
    FROM parking_lots l,
         generate_series($1::timestamptz - interval '${DAYS} days', $1::timestamptz - interval '1 hour', interval '1 hour') h,
         LATERAL (SELECT (abs(hashint4(l.id + extract(epoch FROM h)::int)) % 30) AS lo) v`, [new Date(H).toISOString()]);
  await db.query('VACUUM ANALYZE lot_occupancy_hours');
  const { rows: [size] } = await db.query(`SELECT count(*)::bigint AS rows, pg_total_relation_size('lot_occupancy_hours') AS bytes FROM lot_occupancy_hours`);
  console.log(`seeded ${LOTS} lots × ${SPOTS} spots, ${Number(size.rows).toLocaleString('en')} hour rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const perRow = Number(size.bytes) / Number(size.rows);
  console.log(`lot_occupancy_hours with its indexes: ${(Number(size.bytes) / 2 ** 20).toFixed(0)} MiB, ${perRow.toFixed(0)} bytes a row; 5 000 lots × 24 × 58 = ${(5000 * 24 * 58).toLocaleString('en')} rows ≈ ${((5000 * 24 * 58 * perRow) / 2 ** 30).toFixed(2)} GiB`);

  const lot = Math.ceil(LOTS / 2);
  const book = `UPDATE spots SET status = 'reserved' WHERE lot_id = ${lot} AND number = 1`;
  const cases: [string, string[]][] = [
    ["a booking's spot change, the hour's row there", []],
    ["a booking's spot change, the hour's first change", [`DELETE FROM lot_occupancy_hours WHERE lot_id = ${lot} AND hour = '${new Date(H).toISOString()}'`]],
  ];
  console.log('\n| statement (median of 21) | execution ms | occupancy trigger ms | availability trigger (0012) ms |\n|---|---|---|---|');
  for (const [label, setup] of cases) {
    const plans = [];
    for (let i = 0; i < RUNS; i++) plans.push(await explain(book, [], setup));
    const trigger = (p: Plan, t: string) => p.Triggers?.find((x) => x['Trigger Name'] === t)?.Time ?? 0;
    console.log(`| ${label} | ${median(plans.map((p) => p['Execution Time'])).toFixed(3)} | ${median(plans.map((p) => trigger(p, 'spots_occupancy_update'))).toFixed(3)} | ${median(plans.map((p) => trigger(p, 'spots_availability_update'))).toFixed(3)} |`);
  }

  const reads: [string, SQL][] = [
    ['GET …/occupancy, 31 days (745 hours)', occupancyStatement(lot, new Date(now - 31 * 24 * HOUR), new Date(now))],
    ['GET …/occupancy, 24 hours', occupancyStatement(lot, new Date(now - 24 * HOUR), new Date(now))],
    ['the forecast (3 hours × 8 weeks)', forecastStatement(lot, new Date(H))],
    // The history reaches 58 days back: a day of every lot's hours is past the 57-day cutoff.
    ['one pruning batch (5 000 rows)', batchStatement()],
  ];
  console.log('\n| query (median of 21) | execution ms |\n|---|---|');
  for (const [label, statement] of reads) {
    const { sql, params } = query(statement);
    const plans = [];
    for (let i = 0; i < RUNS; i++) plans.push(await explain(sql, params));
    console.log(`| ${label} | ${median(plans.map((p) => p['Execution Time'])).toFixed(3)} |`);
  }
} finally {
  await db.end();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
