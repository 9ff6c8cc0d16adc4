// npm run chaos [-- --short]: the reliability suite. Starts its own world (chaos/world.ts), runs the
// scenarios one after the other against the one `wrangler dev`, prints a table of figures per scenario and
// the checks, and exits non-zero when a check failed or a scenario could not run. Everything is local
// (127.0.0.1), bounded in requests and time, and stopped at the end.
import { newLot, newUser } from './fixtures.ts';
import { Report, p50p99, seconds, table } from './report.ts';
import { runBadInput, type BadInputFigures } from './scenarios/bad-input.ts';
import { runContention, type ContentionFigures } from './scenarios/contention.ts';
import { runFault, type FaultFigures, type Timing } from './scenarios/fault.ts';
import { postgresStopped } from './scenarios/postgres.ts';
import { redisHanging, redisKilled } from './scenarios/redis.ts';
import type { SteadyWorld } from './steady.ts';
import { SETTINGS, startWorld } from './world.ts';

const short = process.argv.includes('--short') || process.env.CHAOS_SHORT === '1';
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (letter: string) => !only || only.includes(letter);

const PLAN = short
  ? { timing: { warmMs: 4000, faultMs: 6000, afterMs: 10_000, rate: 60 }, rounds: 5, corpus: 1000 }
  : { timing: { warmMs: 8000, faultMs: 15_000, afterMs: 15_000, rate: 100 }, rounds: 20, corpus: 2500 };

const log = (line: string) => console.log(`[chaos] ${line}`);
const report = new Report();
const started = Date.now();
log(`${short ? 'short' : 'full'} run; Worker settings as built: Redis timeout ${SETTINGS.redisTimeoutMs} ms, cool-down ${SETTINGS.redisCooldownMs} ms, database timeout ${SETTINGS.databaseTimeoutMs} ms`);
const world = await startWorld(log);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void world.stop().finally(() => process.exit(130)));
}

const faults: FaultFigures[] = [];
let contention: ContentionFigures | null = null;
let badInput: BadInputFigures | null = null;
try {
  const steady: SteadyWorld = {
    readLots: await Promise.all([1, 2, 3, 4, 5].map((i) => newLot(world, 20, `Read Lot ${i}`))),
    bookingLot: await newLot(world, 2000, 'Busy Lot'),
    readers: await Promise.all([newUser(world, 'reader'), newUser(world, 'reader')]),
    drivers: await Promise.all([0, 1, 2, 3].map(() => newUser(world, 'driver'))),
  };
  const timing: Timing = PLAN.timing;
  if (wanted('a')) faults.push(await runFault(world, steady, redisKilled(world), timing, report));
  if (wanted('b')) faults.push(await runFault(world, steady, redisHanging(world), timing, report));
  if (wanted('c')) {
    if (world.postgres) faults.push(await runFault(world, steady, postgresStopped(world), timing, report));
    else report.skip('(c) Postgres stopped', `no private PostgreSQL could run here, and the machine's shared server is never stopped: ${world.noPrivatePostgres}`);
  }
  if (wanted('d')) contention = await runContention(world, report, PLAN.rounds);
  if (wanted('e')) badInput = await runBadInput(world, report, PLAN.corpus);
} finally {
  await world.stop();
}

console.log('\n## Faults under a steady load\n');
console.log(
  table(
    ['scenario', 'requests', '5xx', 'no answer', 'p50 / p99 before', 'p50 / p99 during the fault', 'p50 / p99 after', 'fault lasted', 'resumed after the part came back'],
    faults.map((f) => [
      f.scenario,
      f.requests,
      f.serverErrors.length,
      f.noAnswer,
      p50p99(f.before.map((s) => s.latencyMs)),
      p50p99(f.during.map((s) => s.latencyMs)),
      p50p99(f.after.map((s) => s.latencyMs)),
      seconds(f.backAt - f.faultAt),
      Object.entries(f.recovered).map(([use, ms]) => `${use} ${seconds(ms)}`).join(', '),
    ]),
  ),
);
if (contention) {
  console.log('\n## (d) Booking contention\n');
  console.log(contention.table);
}
if (badInput) {
  console.log('\n## (e) Bad input\n');
  console.log(badInput.table);
}

const failed = report.failed;
console.log(`\n${report.checks.length - failed.length} of ${report.checks.length} checks passed in ${seconds(Date.now() - started)}${report.notRun.length ? `; not run: ${report.notRun.map((n) => `${n.scenario} (${n.why})`).join('; ')}` : ''}`);
for (const f of failed) console.log(`FAILED [${f.scenario}] ${f.what}${f.evidence ? `\n  ${f.evidence}` : ''}`);
process.exit(failed.length > 0 || report.notRun.length > 0 ? 1 : 0);
