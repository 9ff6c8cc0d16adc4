// One measured run of a scenario in one configuration: warm up (not counted), then read the stand-ins'
// request counters, the app's cache counters and the CPU clocks, drive the load, wait for the work the Worker
// left for after its responses, and read them all again.
import type { ChildProcess } from 'node:child_process';
import type { World } from '../../chaos/world.ts';
import { readClocks, type CpuClock } from './cpu.ts';
import type { RunRequest, RunSummary } from './driver.ts';
import type { BenchData, ScenarioName } from './scenarios.ts';

export type Configuration = 'as built' | 'Redis off' | 'batching off';

export interface Measured extends RunSummary {
  scenario: ScenarioName;
  configuration: Configuration;
  redisRequests: number;
  postgresRequests: number;
  cacheHits: number;
  cacheMisses: number;
  /** CPU ms each clock spent over the run. */
  cpuMs: Record<string, number>;
}

export interface Bench {
  world: World;
  driver: ChildProcess;
  data: BenchData;
  connections: number;
  warmMs: number;
  durationMs: number;
  clocks: CpuClock[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One scenario and configuration over several runs (rounds alternate the configurations, so that a change
 * in what else the machine does meanwhile falls on all three alike). */
export function merge(a: Measured | undefined, b: Measured): Measured {
  if (!a) return b;
  const statuses = { ...a.statuses };
  for (const [status, n] of Object.entries(b.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  return {
    ...a,
    requests: a.requests + b.requests,
    seconds: a.seconds + b.seconds,
    statuses,
    latencies: [...a.latencies, ...b.latencies],
    noAnswer: a.noAnswer + b.noAnswer,
    redisRequests: a.redisRequests + b.redisRequests,
    postgresRequests: a.postgresRequests + b.postgresRequests,
    cacheHits: a.cacheHits + b.cacheHits,
    cacheMisses: a.cacheMisses + b.cacheMisses,
    cpuMs: Object.fromEntries(Object.keys(a.cpuMs).map((name) => [name, a.cpuMs[name]! + (b.cpuMs[name] ?? 0)])),
  };
}

/** Runs a scenario in the load generator's process. */
export function drive(driver: ChildProcess, job: RunRequest): Promise<RunSummary> {
  return new Promise((resolve, reject) => {
    driver.once('message', (answer: { ok: boolean; summary?: RunSummary; error?: string }) => {
      if (answer.ok) resolve(answer.summary!);
      else reject(new Error(`load generator: ${answer.error}`));
    });
    driver.send(job);
  });
}

async function cacheCounters(world: World): Promise<[number, number]> {
  const [hits, misses] = (await world.redis(['MGET', 'cache_hits', 'cache_misses'])) as (string | null)[];
  return [Number(hits ?? 0), Number(misses ?? 0)];
}

/** Waits until neither stand-in has served a request for 300 ms (the Worker's after-response work is done). */
async function settle(world: World): Promise<void> {
  const served = () => world.stack.redisRest.control.requests + world.stack.neonHttp.control.requests;
  let last = served();
  for (let quiet = 0, waited = 0; quiet < 3 && waited < 5000; waited += 100) {
    await sleep(100);
    const now = served();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/** Waits until the Worker at `origin` reaches Redis again (its circuit breaker closed by the health probe). */
export async function redisBack(origin: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const res = await fetch(`${origin}/health/redis`).catch(() => null);
    await res?.arrayBuffer();
    if (res?.status === 200) return;
    await sleep(250);
  }
  throw new Error(`the Worker at ${origin} did not reach Redis again within 15 s`);
}

export async function measure(bench: Bench, scenario: ScenarioName, configuration: Configuration, origin: string, connections = bench.connections): Promise<Measured> {
  const { world, driver, data } = bench;
  const job = (durationMs: number): RunRequest => ({ origin, scenario, data, connections, durationMs });
  if (bench.warmMs > 0) await drive(driver, job(bench.warmMs));
  await settle(world);
  const redisBefore = world.stack.redisRest.control.requests;
  const postgresBefore = world.stack.neonHttp.control.requests;
  const [hitsBefore, missesBefore] = await cacheCounters(world);
  const cpuBefore = readClocks(bench.clocks);
  const summary = await drive(driver, job(bench.durationMs));
  await settle(world);
  const cpuAfter = readClocks(bench.clocks);
  const [hitsAfter, missesAfter] = await cacheCounters(world);
  return {
    ...summary,
    scenario,
    configuration,
    redisRequests: world.stack.redisRest.control.requests - redisBefore,
    postgresRequests: world.stack.neonHttp.control.requests - postgresBefore,
    cacheHits: hitsAfter - hitsBefore,
    cacheMisses: missesAfter - missesBefore,
    cpuMs: Object.fromEntries(Object.keys(cpuAfter).map((name) => [name, cpuAfter[name]! - cpuBefore[name]!])),
  };
}
