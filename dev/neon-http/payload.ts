// The body of POST /sql as Neon's proxy reads it (proxy/src/serverless/sql_over_http.rs: QueryData,
// BatchQueryData and the untagged enum Payload, tried in that order; json.rs: json_to_pg_text for params).
import { serdeJsonStringError } from './serde-json.ts';
import { NeonRefusal } from './response.ts';
import type { Statement } from './backends.ts';

export interface PayloadStatement extends Statement {
  /** The per-query `arrayMode`; the Neon-Array-Mode header applies when it is absent. */
  arrayMode?: boolean;
}

export type Payload = { batch: false; statement: PayloadStatement } | { batch: true; statements: PayloadStatement[] };

const unreadable = (reason: string) => new NeonRefusal(400, `could not parse the HTTP request body: ${reason}`);

/** A JSON array param becomes a PostgreSQL array literal; strings inside it keep their JSON quoting. */
function arrayLiteral(value: unknown): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return `{${value.map((item) => arrayLiteral(item) ?? 'NULL').join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(JSON.stringify(value));
  return JSON.stringify(value);
}

function paramText(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

function queryData(value: unknown): PayloadStatement | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { query, params, arrayMode } = value as Record<string, unknown>;
  if (typeof query !== 'string') return null;
  if (params !== undefined && !Array.isArray(params)) return null;
  if (arrayMode !== undefined && arrayMode !== null && typeof arrayMode !== 'boolean') return null;
  return {
    query,
    params: (params ?? []).map(paramText),
    ...(typeof arrayMode === 'boolean' ? { arrayMode } : {}),
  };
}

export function parsePayload(body: Buffer): Payload {
  const refused = serdeJsonStringError(body);
  if (refused) throw unreadable(refused);
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw unreadable((error as Error).message);
  }
  const single = queryData(value);
  if (single) return { batch: false, statement: single };
  const queries = (value as { queries?: unknown } | null)?.queries;
  if (Array.isArray(queries)) {
    const statements = queries.map(queryData);
    if (statements.every((s) => s !== null)) return { batch: true, statements: statements as PayloadStatement[] };
  }
  throw unreadable('data did not match any variant of untagged enum Payload');
}
