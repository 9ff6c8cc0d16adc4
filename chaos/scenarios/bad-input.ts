// (e) A bad-input corpus across every operation of the Worker's OpenAPI document, generated with fast-check
// (chaos/bad-input/). The property, for each request: no 5xx; the answer is what the document says of the
// operation, every error in the envelope with its code's status from src/errors.ts; and a refused request
// (4xx) changed nothing — tables and Redis keys compared before and after. On a failure fast-check shrinks
// the request to a small one, printed with the seed that replays the run (CHAOS_SEED).
import { writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { contractViolation, loadOperations, type Operation } from '../bad-input/openapi.ts';
import { requestFor, type FuzzRequest } from '../bad-input/requests.ts';
import { changes, onlyCacheTraffic, settle, snapshot, type Snapshot } from '../bad-input/snapshot.ts';
import { materialize, prepareTargets, refresh, type Targets } from '../bad-input/targets.ts';
import { table, type Report } from '../report.ts';
import { ARTIFACTS, type World } from '../world.ts';

export interface BadInputFigures {
  table: string;
}

interface Finding {
  operation: string;
  request: string;
  status: number;
  problem: string;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Refusals decided before any service runs (README, "A refused request does no work"). Not validation_failed:
 * a service refuses some values too (a cursor of another list), after the gate has looked the caller up.
 */
const BEFORE_ANY_SERVICE = new Set(['invalid_json', 'payload_too_large', 'unsupported_media_type', 'unauthorized', 'rate_limited']);

/**
 * The answer's body; of an event stream (GET /parking-lots/:id/live), which stays open for its lifetime, only
 * what arrives in its first second — the current state comes first — then the stream is closed.
 */
async function bodyOf(res: Response): Promise<string> {
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream') || !res.body) return res.text();
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const until = Date.now() + 1_000;
  while (Date.now() < until) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(resolve, until - Date.now(), null))]);
    if (!chunk || chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text;
}

export async function runBadInput(world: World, report: Report, corpus: number): Promise<BadInputFigures> {
  const name = '(e) bad input';
  const operations = await loadOperations(world.origin);
  // A little over corpus/operations: fetch cannot send a few (header values), and they are not counted.
  const perOperation = Math.ceil((corpus * 1.05) / operations.length);
  const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`\n${name}: ${perOperation} generated requests for each of ${operations.length} operations of /openapi.json (seed ${seed})`);

  let targets: Targets = await prepareTargets(world);
  await settle(world);
  let current: Snapshot = await snapshot(world);
  const sent: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const findings: Finding[] = [];
  const minimal: string[] = [];
  let lastProblem = '';
  let unsendable = 0;
  const cleared: Record<string, number> = {};

  const attempt = async (op: Operation, request: FuzzRequest): Promise<boolean> => {
    const opName = `${op.method} ${op.path}`;
    const r = materialize(request, targets);
    let res: Response;
    try {
      res = await fetch(`${world.origin}${r.url}`, { method: r.method, headers: r.headers, redirect: 'manual', ...(r.body === null ? {} : { body: r.body }) });
    } catch {
      unsendable += 1; // fetch itself refused it (a header value it cannot send): nothing reached the Worker
      return true;
    }
    const text = await bodyOf(res);
    sent[opName] = (sent[opName] ?? 0) + 1;
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: judged by its media type
    }
    const code = res.status >= 400 && json && typeof json === 'object' ? (json as { error?: { code?: string } }).error?.code : undefined;
    const key = `${res.status}${code ? ` ${code}` : ''}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
    const shown = `${r.method} ${r.url.slice(0, 160)} body ${JSON.stringify(r.body?.slice(0, 160) ?? null)} headers ${JSON.stringify(r.headers).slice(0, 200)}`;
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`${res.status}: ${text.slice(0, 200)}`);
    const violation = contractViolation(operations, r.method, r.url.split('?')[0]!, res.status, res.headers.get('content-type') ?? '', json);
    if (violation) problems.push(`contract: ${violation} — ${text.slice(0, 160)}`);

    await settle(world);
    let after = await snapshot(world);
    if (res.status >= 400) {
      const changed = changes(current, after);
      const data = changed.filter((c) => !onlyCacheTraffic(c));
      if (data.length) problems.push(`refused yet changed: ${data.slice(0, 3).join('; ')}`);
      if (changed.length > data.length) {
        if (code && BEFORE_ANY_SERVICE.has(code)) problems.push(`refused before any service yet touched cache: ${changed.slice(0, 3).join('; ')}`);
        else cleared[`${opName} ${key}`] = (cleared[`${opName} ${key}`] ?? 0) + 1;
      }
    } else if (!READS.has(r.method)) {
      targets = await refresh(world, targets);
      await settle(world);
      after = await snapshot(world);
    }
    current = after;
    for (const problem of problems) findings.push({ operation: opName, request: shown, status: res.status, problem });
    if (problems.length) lastProblem = `${res.status}: ${problems[0]!.slice(0, 200)}`;
    return problems.length === 0;
  };

  for (const op of operations) {
    const result = await fc.check(
      fc.asyncProperty(requestFor(op), (request) => attempt(op, request)),
      { numRuns: perOperation, seed, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
    if (result.failed && !result.counterexample) minimal.push(`${op.method} ${op.path}: ${String(result.errorInstance)}`);
    if (result.failed && result.counterexample) {
      const [request] = result.counterexample;
      const r = materialize(request, targets);
      minimal.push(`${op.method} ${op.path}, smallest failing request (${result.numShrinks} shrinks): ${r.method} ${r.url} ${JSON.stringify(r.headers)} ${JSON.stringify(r.body?.slice(0, 200) ?? null)} → ${result.errorInstance ? `threw ${String(result.errorInstance)}` : lastProblem}`);
    }
  }

  await writeFile(`${ARTIFACTS}chaos-bad-input.json`, JSON.stringify({ seed, minimal, findings }, null, 1));
  if (findings.length) console.log(`  every failing request: test/artifacts/chaos-bad-input.json`);
  const total = Object.values(sent).reduce((a, b) => a + b, 0);
  const count = (pattern: RegExp) => Object.entries(statuses).filter(([k]) => pattern.test(k)).reduce((a, [, n]) => a + n, 0);
  const kinds = (pattern: RegExp) => findings.filter((f) => pattern.test(f.problem));
  const evidence = (list: Finding[]) => list.slice(0, 3).map((f) => `${f.operation} → ${f.status}: ${f.problem.slice(0, 300)}\n           ${f.request.slice(0, 300)}`).join('\n         ');
  const uncovered = operations.filter((op) => !sent[`${op.method} ${op.path}`]);
  // A property's run stops at its first failure (then shrinks it): a shortfall is explained by the failures below.
  report.check(name, `at least ${corpus} generated requests (${total}${total < corpus ? `; runs stopped at ${minimal.length} failures` : ''}), every one of the ${operations.length} operations covered`, (total >= corpus || minimal.length > 0) && uncovered.length === 0, uncovered.map((o) => `${o.method} ${o.path}`).join(', '));
  report.check(name, 'zero 5xx', count(/^5/) === 0, evidence(kinds(/^5\d\d:/)));
  report.check(name, 'every answer is documented for its operation, every error in the envelope with its code\'s status', kinds(/^contract/).length === 0, evidence(kinds(/^contract/)));
  report.check(name, 'no refused request changed a table or a Redis key the app keeps (cache traffic apart)', kinds(/^refused yet changed/).length === 0, evidence(kinds(/^refused yet changed/)));
  report.check(name, 'no request refused by the gate or validation touched the cache either', kinds(/^refused before any service/).length === 0, evidence(kinds(/^refused before any service/)));
  const clearedTotal = Object.values(cleared).reduce((a, b) => a + b, 0);
  if (clearedTotal) console.log(`  note: ${clearedTotal} requests refused by a service (after the gate) cleared or filled cache entries: ${JSON.stringify(cleared)}`);
  if (unsendable) console.log(`  note: ${unsendable} generated requests could not be sent by fetch (not counted)`);

  if (minimal.length) console.log(`  smallest failing request of each failing operation:\n    ${minimal.join('\n    ')}`);
  const byCode = Object.entries(statuses).filter(([k]) => /^4/.test(k)).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
  return {
    table: [
      table(
        ['operations', 'requests', '2xx/3xx', '4xx', '5xx', 'contract violations', 'refused but changed data', 'refused by a service, cache traffic', 'seed'],
        [[operations.length, total, count(/^[23]/), count(/^4/), count(/^5/), kinds(/^contract/).length, kinds(/^refused yet changed/).length, clearedTotal, seed]],
      ),
      '',
      `4xx answers by code: ${byCode}`,
    ].join('\n'),
  };
}
