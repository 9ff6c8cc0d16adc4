// The two tables of `npm run bench`: the scenarios in the three configurations side by side, the design's two
// claims against what was measured, and where the CPU goes (the Worker's, the local stack's, the bundle's).
import { percentile, table } from '../../chaos/report.ts';
import type { BundleFigures } from './bundle.ts';
import type { Configuration, Measured } from './measure.ts';
import { SCENARIOS } from './scenarios.ts';

const num = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const msCell = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(1) : Math.round(value)} ms` : '–');
const ratio = (value: number, base: number) => (Number.isFinite(value / base) && base > 0 ? `×${(value / base).toFixed(2)}` : '–');
const percent = (value: number) => (Number.isFinite(value) ? `${Math.round(value * 100)} %` : '–');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

const rps = (m: Measured) => m.requests / m.seconds;
const p = (m: Measured, at: number) => percentile(m.latencies, at);
const perRequest = (count: number, m: Measured) => count / m.requests;
const hitRate = (m: Measured) => (m.cacheHits + m.cacheMisses > 0 ? m.cacheHits / (m.cacheHits + m.cacheMisses) : Number.NaN);
const errors = (m: Measured) => Object.entries(m.statuses).filter(([status]) => Number(status) >= 400).reduce((sum, [, n]) => sum + n, 0) + m.noAnswer;

export function find(results: Measured[], scenario: string, configuration: Configuration): Measured | undefined {
  return results.find((m) => m.scenario === scenario && m.configuration === configuration);
}

export function scenarioTable(results: Measured[]): string {
  const rows: string[][] = [];
  for (const scenario of SCENARIOS) {
    const built = find(results, scenario, 'as built');
    for (const configuration of ['as built', 'Redis off', 'batching off'] as const) {
      const m = find(results, scenario, configuration);
      if (!m) continue;
      const against = configuration === 'as built' || !built ? ['', ''] : [ratio(rps(m), rps(built)), ratio(p(m, 50), p(built, 50))];
      rows.push([
        configuration === 'as built' ? scenario : '',
        configuration,
        num(rps(m)),
        msCell(p(m, 50)),
        msCell(p(m, 95)),
        msCell(p(m, 99)),
        num(perRequest(m.redisRequests, m), 2),
        num(perRequest(m.postgresRequests, m), 2),
        percent(hitRate(m)),
        String(errors(m)),
        ...against,
      ]);
    }
  }
  return table(['scenario', 'configuration', 'req/s', 'p50', 'p95', 'p99', 'Redis RT / req', 'Postgres RT / req', 'cache hit rate', '4xx/5xx/no answer', 'req/s vs as built', 'p50 vs as built'], rows);
}

/** "Caching cuts DB queries by ~80 % and response times by ~60 %": as built against Redis off. */
export function claimsTable(results: Measured[]): string {
  const rows: string[][] = [];
  for (const scenario of SCENARIOS) {
    const built = find(results, scenario, 'as built');
    const off = find(results, scenario, 'Redis off');
    if (!built || !off) continue;
    const queries = 1 - perRequest(built.postgresRequests, built) / perRequest(off.postgresRequests, off);
    rows.push([scenario, percent(queries), percent(1 - p(built, 50) / p(off, 50)), percent(1 - p(built, 95) / p(off, 95)), ratio(rps(built), rps(off))]);
  }
  return table(['scenario (as built vs Redis off)', 'Postgres queries cut (claimed ~80 %)', 'p50 cut (claimed ~60 %)', 'p95 cut', 'throughput'], rows);
}

export interface CpuRow {
  label: string;
  built: Measured;
  others: Partial<Record<Configuration, Measured>>;
}

/** Worker CPU per request in each configuration, and the local stack's share of the run's CPU as built. */
export function cpuTable(rows: CpuRow[], workerClock: (configuration: Configuration) => string): string {
  const perReq = (m: Measured | undefined, clock: string) => (m ? msCell(m.cpuMs[clock]! / m.requests) : '–');
  return table(
    ['scenario', 'Worker CPU / req as built', 'Redis off', 'batching off', 'stand-ins / req', 'redis-server / req', 'PostgreSQL / req', 'wrangler (node) / req', 'load generator / req', "Worker's share of the stack's CPU"],
    rows.map(({ label, built, others }) => {
      const stack = ['stand-ins', 'redis-server', 'postgres', 'wrangler'].reduce((sum, name) => sum + (built.cpuMs[name] ?? 0), 0);
      const worker = built.cpuMs[workerClock('as built')]!;
      return [
        label,
        perReq(built, workerClock('as built')),
        perReq(others['Redis off'], workerClock('Redis off')),
        perReq(others['batching off'], workerClock('batching off')),
        perReq(built, 'stand-ins'),
        perReq(built, 'redis-server'),
        'postgres' in built.cpuMs ? perReq(built, 'postgres') : 'not measured',
        perReq(built, 'wrangler'),
        perReq(built, 'load generator'),
        percent(worker / (worker + stack)),
      ];
    }),
  );
}

export function bundleTable(figures: BundleFigures[], configured: boolean): string {
  return table(
    ['bundle', 'size', 'gzipped', 'startup CPU (median)', 'runs'],
    figures.map((f) => [`${f.minify ? 'minified' : 'not minified'}${f.minify === configured ? ' (wrangler.toml)' : ''}`, kib(f.bytes), kib(f.gzipBytes), msCell(f.startupMs), f.startupRuns.map((r) => r.toFixed(0)).join(', ')]),
  );
}
