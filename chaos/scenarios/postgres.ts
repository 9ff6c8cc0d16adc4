// (c) the private PostgreSQL stopped as in a crash (pg_ctl stop -m immediate) and started again. The contract:
// meanwhile only fast 503 database_unavailable (cached reads may still be served), afterwards full service
// with no restart of the Worker, and nothing half-written (the invariants, checked after the run).
import { neon } from '@neondatabase/serverless';
import type { Sample } from '../load.ts';
import { ms, percentile, type Report } from '../report.ts';
import { SETTINGS, type World } from '../world.ts';
import type { FaultFigures, FaultPlan } from './fault.ts';

/** Answers from this long after PostgreSQL accepts connections again must all be successes. */
const SETTLE_MS = 2000;

const isDatabaseUnavailable = (s: Sample) => s.status === 503 && s.code === 'database_unavailable';

/**
 * A query surely running through the Neon stand-in when the server goes down (the load's take a millisecond
 * or two, so most crashes find none): it must be answered, and the stand-in go on serving.
 */
async function queryUnderway(world: World): Promise<{ answered: Promise<string> }> {
  const token = `chaos_${Date.now().toString(36)}`;
  const answered = neon(world.stack.databaseUrl)
    .query(`SELECT pg_sleep(30), '${token}' AS token`)
    .then(
      () => 'answered with rows',
      (error: unknown) => `failed: ${(error as Error).message}`,
    );
  const running = async () => (await world.sql(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1 AND pid <> pg_backend_pid()`, [`%${token}%`])).length > 0;
  while (!(await running())) await new Promise((resolve) => setTimeout(resolve, 20));
  return { answered };
}

export function postgresStopped(world: World): FaultPlan {
  const server = world.postgres!;
  let underwayOutcome = 'not answered';
  return {
    scenario: '(c) Postgres stopped',
    fault: 'the private PostgreSQL stopped as in a crash (pg_ctl stop -m immediate) under a running query, then started again',
    inject: async () => {
      const underway = await queryUnderway(world);
      await server.stop('immediate');
      underwayOutcome = await Promise.race([underway.answered, new Promise<string>((resolve) => setTimeout(() => resolve('not answered within 5 s'), 5000))]);
    },
    heal: () => server.start(),
    tolerated: isDatabaseUnavailable,
    recovery: async (back, until, samples) => {
      const firstBooking = () => samples.find((s) => s.at > back && s.kind === 'book' && s.status === 201);
      while (!firstBooking() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
      const lastRefusal = samples.filter((s) => s.at > back && isDatabaseUnavailable(s)).at(-1);
      const booking = firstBooking();
      return {
        'bookings (first 201)': booking ? booking.at - back : null,
        'every request (last 503)': lastRefusal ? lastRefusal.at - back : 0,
      };
    },
    judge: (figures: FaultFigures, report: Report) => {
      const name = figures.scenario;
      report.check(name, `a query running when the server went down was answered (${underwayOutcome})`, underwayOutcome.startsWith('failed'));
      const other5xx = figures.serverErrors.filter((s) => !isDatabaseUnavailable(s));
      report.check(name, 'the only 5xx are 503 database_unavailable', other5xx.length === 0, JSON.stringify(other5xx.slice(0, 5)));
      const refusals = figures.during.filter(isDatabaseUnavailable);
      report.check(name, `the outage was seen: ${refusals.length} requests answered 503 database_unavailable`, refusals.length > 0);
      const slowest = Math.max(0, ...refusals.map((s) => s.latencyMs));
      report.check(
        name,
        `every 503 is fast: none waited for the database timeout (p50 ${ms(percentile(refusals.map((s) => s.latencyMs), 50))}, p99 ${ms(percentile(refusals.map((s) => s.latencyMs), 99))}, max ${ms(slowest)} < ${SETTINGS.databaseTimeoutMs} ms)`,
        slowest < SETTINGS.databaseTimeoutMs,
      );
      const served = figures.during.filter((s) => s.status === 200 && (s.kind === 'lot read' || s.kind === 'auth/me'));
      report.check(name, `cached reads are still served during the outage (${served.length} lot reads and sessions answered 200)`, served.length > 0);
      const late = figures.after.filter((s) => s.at > figures.backAt + SETTLE_MS && s.status >= 500);
      report.check(name, `full recovery: no 5xx from ${SETTLE_MS / 1000} s after PostgreSQL is back`, late.length === 0, JSON.stringify(late.slice(0, 5)));
    },
  };
}
