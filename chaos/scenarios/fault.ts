// One fault under the steady load: warm up, inject the fault, keep it for a while, heal it, and measure how
// the Worker answered before, during and after, and how long after the part came back each of its uses
// resumed, with no restart of the Worker. Then the invariants.
import { checkInvariants } from '../invariants.ts';
import { runLoad, within, type Sample } from '../load.ts';
import { p50p99, percentile, seconds, type Report } from '../report.ts';
import { SUCCESS, steadyStreams, type SteadyWorld } from '../steady.ts';
import { sleep } from '../fixtures.ts';
import type { World } from '../world.ts';

export interface Timing {
  warmMs: number;
  faultMs: number;
  afterMs: number;
  /** Requests per second of the steady load. */
  rate: number;
}

export interface FaultPlan {
  scenario: string;
  fault: string;
  inject(): Promise<void>;
  /** Resolves once the part answers again. */
  heal(): Promise<void>;
  /** Whether an answer is acceptable while the fault lasts (besides its stream's success). */
  tolerated(sample: Sample): boolean;
  /** How long after `back` each use resumed (ms), or null if it never did before `until`. */
  recovery(back: number, until: number, samples: Sample[]): Promise<Record<string, number | null>>;
  /** Checks of its own on the figures. */
  judge(figures: FaultFigures, report: Report): void;
}

export interface FaultFigures {
  scenario: string;
  fault: string;
  requests: number;
  serverErrors: Sample[];
  noAnswer: number;
  before: Sample[];
  during: Sample[];
  after: Sample[];
  faultAt: number;
  /** When the part answered again. */
  backAt: number;
  recovered: Record<string, number | null>;
}

const isSuccess = (s: Sample) => SUCCESS[s.kind]?.includes(s.status) ?? false;
const describe = (samples: Sample[]) => {
  const counts: Record<string, number> = {};
  for (const s of samples) {
    const key = `${s.kind} ${s.status}${s.code ? ` ${s.code}` : ''}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
};

export async function runFault(world: World, steady: SteadyWorld, plan: FaultPlan, timing: Timing, report: Report): Promise<FaultFigures> {
  console.log(`\n${plan.scenario}: ${plan.fault} (${timing.warmMs / 1000} s warm, ${timing.faultMs / 1000} s fault, ${timing.afterMs / 1000} s after, ~${timing.rate} req/s)`);
  const start = Date.now();
  const load = runLoad(world.origin, steadyStreams(steady, timing.rate), timing.warmMs + timing.faultMs + timing.afterMs);
  await sleep(timing.warmMs);
  const faultAt = Date.now();
  await plan.inject();
  await sleep(timing.faultMs);
  await plan.heal();
  const back = Date.now();
  const recovered = await plan.recovery(back, start + timing.warmMs + timing.faultMs + timing.afterMs, load.samples);
  await load.done;
  const end = Date.now();
  await sleep(1500); // the Worker's work after its last responses (counters, cache fills) lands

  const samples = load.samples;
  const figures: FaultFigures = {
    scenario: plan.scenario,
    fault: plan.fault,
    requests: samples.length + load.noAnswer.length,
    serverErrors: samples.filter((s) => s.status >= 500),
    noAnswer: load.noAnswer.length,
    before: within(samples, start, faultAt),
    during: within(samples, faultAt, back),
    after: within(samples, back, end + 1),
    faultAt,
    backAt: back,
    recovered,
  };
  const name = plan.scenario;
  report.check(name, `every request got an answer (${figures.requests} sent)`, figures.noAnswer === 0, JSON.stringify(load.noAnswer.slice(0, 5)));
  const unexpectedBefore = figures.before.filter((s) => !isSuccess(s));
  report.check(name, 'before the fault every answer is a success', unexpectedBefore.length === 0, describe(unexpectedBefore));
  const unexpectedDuring = figures.during.filter((s) => !isSuccess(s) && !plan.tolerated(s));
  report.check(name, `during the fault every answer is a success or what the contract allows then (${figures.during.length} answers)`, unexpectedDuring.length === 0, describe(unexpectedDuring));
  for (const [use, ms] of Object.entries(recovered)) {
    report.check(name, `${use} resumed by itself after the part came back (${seconds(ms)})`, ms !== null);
  }
  plan.judge(figures, report);
  console.log(`  answers during the fault: ${describe(figures.during)}`);
  console.log(`  latency p50/p99 before ${p50p99(figures.before.map((s) => s.latencyMs))}, during ${p50p99(figures.during.map((s) => s.latencyMs))}, after ${p50p99(figures.after.map((s) => s.latencyMs))}`);
  await checkInvariants(world, report, name);
  return figures;
}

/** Whether most requests during the fault were spared the wait for a timeout. */
export function medianUnder(figures: FaultFigures, limitMs: number): boolean {
  return percentile(figures.during.map((s) => s.latencyMs), 50) < limitMs;
}
