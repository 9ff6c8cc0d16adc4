// npm run bench:report-writes — what keeping the report aggregates costs the writes, measured in PostgreSQL
// itself on the large data set of bench:reports (seeded first if the database is empty), without the Worker
// and the stand-ins in between (on a shared two-core machine their noise is larger than what is measured):
// 1. the time PostgreSQL spends in the aggregate trigger of one booking and of each step (EXPLAIN ANALYZE
//    reports it apart; each statement runs in a transaction that is rolled back);
// 2. row-lock contention: 40 connections commit a step at the same moment, on 40 lots (they share today's
//    row of reservation_stats_by_day) and on one lot (they share its row too), with the triggers on and off in
//    alternate rounds; the wall time until all have committed, and the most backends seen waiting for a lock.
import pg from 'pg';
import { SCALE_SIZES, seedScale } from './seed-scale.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/parkedge_bench_reports';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WRITERS = 40;
const TRIGGERS = ['reservations_stats_insert', 'reservations_stats_update'];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const admin = new pg.Client({ connectionString: databaseUrl });
await admin.connect();
const setTriggers = (on: boolean) => Promise.all(TRIGGERS.map((t) => admin.query(`ALTER TABLE reservations ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`)));

interface PlanResult {
  Plan: unknown;
  Triggers?: { 'Trigger Name': string; Time: number; Calls: number }[];
  'Execution Time': number;
}

/** The statement's execution time and the time spent in the aggregate triggers, rolled back after. */
async function triggerTime(statement: string, params: unknown[]): Promise<{ total: number; trigger: number }> {
  await admin.query('BEGIN');
  try {
    const { rows } = await admin.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, params);
    const [result] = rows[0]['QUERY PLAN'] as [PlanResult];
    const trigger = (result.Triggers ?? []).filter((t) => TRIGGERS.includes(t['Trigger Name'])).reduce((sum, t) => sum + t.Time, 0);
    return { total: result['Execution Time'], trigger };
  } finally {
    await admin.query('ROLLBACK');
  }
}

async function active(status: 'reserved' | 'parked', count: number, oneLot: boolean): Promise<number[]> {
  const { rows } = await admin.query<{ id: number }>(
    oneLot
      ? `SELECT id FROM reservations WHERE status = $1 AND lot_id = (SELECT lot_id FROM reservations WHERE status = $1 GROUP BY lot_id ORDER BY count(*) DESC LIMIT 1) LIMIT $2`
      : `SELECT DISTINCT ON (lot_id) id FROM reservations WHERE status = $1 AND lot_id IS NOT NULL ORDER BY lot_id, id LIMIT $2`,
    [status, count],
  );
  return rows.map((r) => r.id);
}

try {
  const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM reservations');
  if (rows[0]!.n === 0) console.log('seeded:', JSON.stringify((await seedScale(databaseUrl, SCALE_SIZES)).sizes));

  const [reserved] = await active('reserved', 1, false);
  const [parked] = await active('parked', 1, false);
  const statements: [string, string, unknown[]][] = [
    ['a booking (INSERT)', `INSERT INTO reservations (user_id, lot_id, spot_number, vehicle_plate, price_per_hour_cents) SELECT user_id, lot_id, 1, 'BENCH' || id, 100 FROM reservations WHERE id = $1`, [reserved]],
    ['park (UPDATE)', `UPDATE reservations SET status = 'parked', parked_at = now() WHERE id = $1`, [reserved]],
    ['cancel (UPDATE)', `UPDATE reservations SET status = 'cancelled', released_at = now() WHERE id = $1`, [reserved]],
    ['release (UPDATE)', `UPDATE reservations SET status = 'completed', released_at = now(), cost_cents = 100, payment_method = 'card' WHERE id = $1`, [parked]],
  ];
  console.log('\n| statement | execution ms (median of 21) | of which the aggregate trigger |\n|---|---|---|');
  for (const [name, statement, params] of statements) {
    const runs = [];
    for (let i = 0; i < 21; i++) runs.push(await triggerTime(statement, params));
    console.log(`| ${name} | ${median(runs.map((r) => r.total)).toFixed(3)} | ${median(runs.map((r) => r.trigger)).toFixed(3)} |`);
  }

  const writers = await Promise.all(Array.from({ length: WRITERS }, async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return client;
  }));
  const race = async (ids: number[]) => {
    let waiting = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const { rows } = await admin.query<{ n: number }>(`SELECT count(DISTINCT pid)::int AS n FROM pg_locks WHERE NOT granted`);
        waiting = Math.max(waiting, rows[0]!.n);
      }
    })();
    const started = performance.now();
    await Promise.all(ids.map((id, i) => writers[i]!.query(`UPDATE reservations SET status = 'completed', released_at = now(), cost_cents = 100, payment_method = 'card' WHERE id = $1`, [id])));
    const ms = performance.now() - started;
    watching = false;
    await watch;
    await admin.query(`UPDATE reservations SET status = 'parked', released_at = NULL, cost_cents = NULL, payment_method = NULL WHERE id = ANY($1)`, [ids]);
    return { ms, waiting };
  };
  console.log(`\n| ${WRITERS} releases committed at once | median ms, triggers on | off | most backends waiting for a lock, on | off |\n|---|---|---|---|---|`);
  for (const [name, oneLot] of [['on 40 lots', false], ['on one lot', true]] as const) {
    const ids = await active('parked', WRITERS, oneLot);
    const results = { on: [] as { ms: number; waiting: number }[], off: [] as { ms: number; waiting: number }[] };
    for (let round = 0; round < ROUNDS * 2; round++) {
      const on = round % 2 === 0;
      await setTriggers(on);
      results[on ? 'on' : 'off'].push(await race(ids));
    }
    const ms = (k: 'on' | 'off') => median(results[k].map((r) => r.ms)).toFixed(1);
    const most = (k: 'on' | 'off') => Math.max(...results[k].map((r) => r.waiting));
    console.log(`| ${name} (${ids.length}) | ${ms('on')} | ${ms('off')} | ${most('on')} | ${most('off')} |`);
  }
  await Promise.all(writers.map((w) => w.end()));
} finally {
  await setTriggers(true);
  await admin.end();
}
