// npm run bench:cron — what one run of the daily job costs with 60 past days to compact, on keyspaces of 1 000
// and of 100 000 other keys: Redis round trips, Postgres round trips, subrequests against the free plan's 50,
// the largest request or answer, and the wall time with the stand-ins at no distance and at a simulated
// distance to the region; then the usual night (one day) on the large keyspace. On the Redis and PostgreSQL
// databases of test/redis/cron-scale.test.ts, inside workerd like the tests.
import { it } from 'vitest';
import { testEnv } from '../test/helpers/http.ts';
import { addDays, clearDailyKeys, cronRedis, cronSql, days, runDailyJob, seedCounters, seedFiller, type JobRunResult } from '../test/helpers/daily-job.ts';

const DISTANCE_MS = 40;
const PAST_DAYS = 60;

/** A line of the table: the counts of the run at no distance, the wall times of both. */
function line(name: string, near: JobRunResult, far: JobRunResult): string {
  const largest = Math.max(...near.exchanges.map((e) => Math.max(e.sent, e.received)));
  return `| ${name} | ${near.redis} | ${near.neon} | ${near.redis + near.neon} of 50 | ${(largest / 1024).toFixed(1)} | ${near.ms} | ${far.ms} |`;
}

async function fresh(filler: number): Promise<void> {
  await cronRedis.flushdb();
  await seedFiller(filler);
  await Promise.all([cronSql`DELETE FROM daily_job_state`, cronSql`DELETE FROM daily_metrics`]);
}

it('prints what one run of the daily job costs', { timeout: 600_000 }, async () => {
  if (testEnv.CRON_DATABASE_URL === testEnv.DATABASE_URL) throw new Error('needs real PostgreSQL (a database of its own)');
  const lines = [
    `| run | Redis RT | Postgres RT | subrequests | largest request or answer (KB) | ms, stand-ins at 0 ms | ms, at ${DISTANCE_MS} ms per round trip |`,
    '|---|---|---|---|---|---|---|',
  ];
  const today = '2020-03-01';
  const past = days(addDays(today, -PAST_DAYS), addDays(today, -1));
  for (const filler of [1_000, 100_000]) {
    const runs: JobRunResult[] = [];
    for (const distance of [0, DISTANCE_MS]) {
      await fresh(filler);
      await seedCounters(past);
      runs.push(await runDailyJob(today, {}, distance));
    }
    lines.push(line(`first run, ${PAST_DAYS} past days, ${filler.toLocaleString('en')} other keys`, runs[0]!, runs[1]!));
  }
  const usual: JobRunResult[] = [];
  for (const distance of [0, DISTANCE_MS]) {
    await clearDailyKeys();
    await seedCounters([today]);
    usual.push(await runDailyJob(addDays(today, 1), {}, distance));
  }
  lines.push(line('the next night (1 day), 100,000 other keys', usual[0]!, usual[1]!));
  console.log(`\nOne run of the daily job (default budget, DAILY_JOB_SUBREQUESTS=45)\n\n${lines.join('\n')}\n`);
});
