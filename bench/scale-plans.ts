// The plans half of bench/scale.bench.ts: the statements an endpoint sent, planned again on the same database.
import { neon } from '@neondatabase/serverless';
import type { ScaleWorld } from './scale-setup.ts';

/** A table this large scanned whole on a request path makes the request grow with the data. */
export const LARGE_TABLE_ROWS = 10_000;
/** A statement reading more rows than this only to drop them walks an index that does not fit its filter. */
export const FILTERED_ROWS = 1_000;

/** A statement as the Neon stand-in kept it for a tag. */
export interface Statement {
  query: string;
  params: (string | null)[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Rows Removed by Filter'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function sequentialScans(node: PlanNode, large: Set<string>, found: Set<string>): Set<string> {
  if (node['Node Type'] === 'Seq Scan' && node['Relation Name'] && large.has(node['Relation Name'])) found.add(node['Relation Name']);
  for (const child of node.Plans ?? []) sequentialScans(child, large, found);
  return found;
}

const removedByFilter = (node: PlanNode): number =>
  (node['Rows Removed by Filter'] ?? 0) * (node['Actual Loops'] ?? 1) + (node.Plans ?? []).reduce((sum, child) => sum + removedByFilter(child), 0);

/**
 * Every distinct statement the endpoint sent, planned again: "index", or the large tables scanned whole, and
 * the rows an index scan read only to filter them away (a walk of the wrong index: EXPLAIN ANALYZE, for the
 * statements that only read). With `forbidSeqScan` (the small data, where a scan of a small table is the
 * planner's right choice) the planner scans only where no index can serve: whether the statement could do without.
 */
export async function planVerdict(world: ScaleWorld, statements: Statement[], large: Set<string>, forbidSeqScan: boolean): Promise<string> {
  const sql = neon(world.databaseUrl);
  const distinct = new Map(statements.map((s) => [s.query, s]));
  const explainable = [...distinct.values()].filter((s) => /^\s*(select|with|insert|update|delete)\b/i.test(s.query));
  if (explainable.length === 0) return '— (no query)';
  const scanned = new Set<string>();
  let filtered = 0;
  for (const statement of explainable) {
    const analyze = /\b(insert|update|delete)\b/i.test(statement.query) ? '' : 'ANALYZE, ';
    const explain = sql.query(`EXPLAIN (${analyze}FORMAT JSON) ${statement.query}`, statement.params);
    const [rows] = forbidSeqScan ? ((await sql.transaction([sql.query('SET LOCAL enable_seqscan = off'), explain])).slice(1) as unknown[]) : [await explain];
    const plan = (rows as { 'QUERY PLAN': [{ Plan: PlanNode }] }[])[0]!['QUERY PLAN'][0].Plan;
    sequentialScans(plan, large, scanned);
    filtered = Math.max(filtered, removedByFilter(plan));
  }
  const verdict = scanned.size === 0 ? `index (${explainable.length})` : `**seq scan: ${[...scanned].join(', ')}**`;
  return filtered > FILTERED_ROWS ? `${verdict}, **${filtered.toLocaleString('en-US')} rows filtered**` : verdict;
}

/** The tables of the large world over LARGE_TABLE_ROWS: those no request may scan whole, in either world. */
export async function largeTables(world: ScaleWorld): Promise<Set<string>> {
  const tables = (await neon(world.databaseUrl).query(
    `SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples > $1`,
    [LARGE_TABLE_ROWS],
  )) as { relname: string }[];
  return new Set(tables.map((t) => t.relname));
}

