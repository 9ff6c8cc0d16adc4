// The load generator of `npm run bench`, in a process of its own (forked by bench/load.ts): autocannon then
// neither shares the stand-ins' event loop nor hides in their CPU figures. It runs one scenario per message
// with chaos/load.ts's runLoad and answers with what the table needs.
import { runLoad } from '../../chaos/load.ts';
import { scenarioStream, type BenchData, type ScenarioName } from './scenarios.ts';

export interface RunRequest {
  origin: string;
  scenario: ScenarioName;
  data: BenchData;
  connections: number;
  durationMs: number;
}

export interface RunSummary {
  requests: number;
  seconds: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Every answer's latency, ms (runs of one scenario and configuration are merged before percentiles). */
  latencies: number[];
  noAnswer: number;
}

async function run(job: RunRequest): Promise<RunSummary> {
  const started = performance.now();
  const load = runLoad(job.origin, [scenarioStream(job.scenario, job.data, job.connections)], job.durationMs);
  await load.done;
  const seconds = (performance.now() - started) / 1000;
  const latencies = load.samples.map((s) => s.latencyMs).filter(Number.isFinite);
  const statuses: Record<string, number> = {};
  for (const s of load.samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  return {
    requests: load.samples.length,
    seconds,
    statuses,
    latencies,
    noAnswer: load.noAnswer.length,
  };
}

process.on('message', (job: RunRequest) => {
  run(job).then(
    (summary) => process.send!({ ok: true, summary }),
    (error: unknown) => process.send!({ ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
