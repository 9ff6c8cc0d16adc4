// What Neon's proxy answers, byte for byte where it matters (neondatabase/neon, proxy/src/serverless/):
// results serialised in its order as the rows arrive, with its response-size check before each row
// (sql_over_http.rs, query_to_json), and every error with its seventeen fields (sql_over_http.rs, handle).
import type { Completion, Field, RowSink } from './backends.ts';

/**
 * Neon's limits on a /sql request body and on the JSON it answers. The proxy's own default is 10 MiB
 * (proxy/src/binary/proxy.rs, sql_over_http_max_request_size_bytes / …_response_size_bytes); Neon's cloud runs
 * it with 64 MiB since November 2024 ("The maximum request size and response size for queries over HTTP is
 * 64 MB", neon.com/docs/serverless/serverless-driver; production errors read "max is 67108864 bytes").
 */
export const NEON_LIMITS = { requestBytes: 64 * 1024 * 1024, responseBytes: 64 * 1024 * 1024 };

export type Limits = typeof NEON_LIMITS;

const ERROR_FIELDS = [
  'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'severity', 'where', 'table', 'column',
  'schema', 'dataType', 'constraint', 'file', 'line', 'routine',
] as const;

/** A refusal of the proxy's own (no PostgreSQL error behind it): its fields are "" (code, severity) or null. */
export class NeonRefusal extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class ResponseTooLarge extends NeonRefusal {
  constructor(limit: number) {
    super(507, `response is too large (max is ${limit} bytes)`);
  }
}

/** The body of every error Neon answers; `db` holds the fields of a PostgreSQL error, when there is one. */
export function errorBody(message: string, db: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { message };
  for (const field of ERROR_FIELDS) {
    const stringDefault = field === 'code' || field === 'severity' ? '' : null;
    body[field] = db[field] ?? stringDefault;
  }
  return body;
}

/** The JSON of one answer, as it grows; Neon refuses the next row once what it wrote is over the limit. */
export class ResponseBuffer {
  private readonly parts: string[] = [];
  private bytes = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  write(text: string): void {
    this.parts.push(text);
    this.bytes += Buffer.byteLength(text);
  }

  get overLimit(): boolean {
    return this.bytes > this.limit;
  }

  text(): string {
    return this.parts.join('');
  }
}

function fieldJson(field: Field): string {
  const { name, dataTypeID, ...known } = field;
  return JSON.stringify({ name, dataTypeID, ...known, format: 'text' });
}

/** Writes one statement's result into the answer: {"fields":…,"rows":[…],"command":…,"rowCount":…,"rowAsArray":…}. */
export class ResultWriter implements RowSink {
  private readonly buffer: ResponseBuffer;
  private readonly arrayMode: boolean;
  private readonly separator: string;
  private names: string[] = [];
  private rows = 0;

  /** `separator` goes before the result: "," for every result of a batch but the first. */
  constructor(buffer: ResponseBuffer, arrayMode: boolean, separator = '') {
    this.buffer = buffer;
    this.arrayMode = arrayMode;
    this.separator = separator;
  }

  fields(fields: Field[]): void {
    this.names = fields.map((f) => JSON.stringify(f.name));
    this.buffer.write(`${this.separator}{"fields":[${fields.map(fieldJson).join(',')}],"rows":[`);
  }

  row(values: (string | null)[]): void {
    if (this.buffer.overLimit) throw new ResponseTooLarge(this.buffer.limit);
    // Objects keep duplicate column names, as the proxy writes them.
    const json = this.arrayMode
      ? JSON.stringify(values)
      : `{${values.map((value, i) => `${this.names[i]}:${JSON.stringify(value)}`).join(',')}}`;
    this.buffer.write(this.rows++ === 0 ? json : `,${json}`);
  }

  end(completion: Completion): void {
    this.buffer.write(`],"command":${JSON.stringify(completion.command)},"rowCount":${JSON.stringify(completion.rowCount)},"rowAsArray":${this.arrayMode}}`);
  }
}
