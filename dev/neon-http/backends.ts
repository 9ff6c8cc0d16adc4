// Where the Neon-compatible /sql endpoint sends its queries: a real PostgreSQL over TCP (node-postgres), or
// embedded PostgreSQL (PGlite) when no server is reachable. Both answer with raw text values, which is what
// the Neon driver asks for (`Neon-Raw-Text-Output: true`) and parses itself by type OID. Both run every
// statement with the extended protocol (Parse/Bind/Execute), as Neon's proxy does (query_raw_txt in
// libs/proxy/tokio-postgres2), so PostgreSQL itself refuses a query string holding two statements.
export { PostgresBackend } from './postgres-backend.ts';
export { PgliteBackend } from './pglite-backend.ts';

export interface Field {
  name: string;
  dataTypeID: number;
  tableID?: number;
  columnID?: number;
  dataTypeSize?: number;
  dataTypeModifier?: number;
}

export interface Statement {
  query: string;
  params: (string | null)[];
}

/** The command tag of a finished statement: its name and, where the tag carries one, the row count. */
export interface Completion {
  command: string;
  rowCount: number | null;
}

/** Takes a statement's result as it arrives. */
export interface RowSink {
  fields(fields: Field[]): void;
  /** Throws ResponseTooLarge when the answer is already over its size limit: the backend then stops reading. */
  row(values: (string | null)[]): void;
  end(completion: Completion): void;
}

export interface BatchOptions {
  isolationLevel?: string;
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface Backend {
  query(connectionString: string, statement: Statement, sink: RowSink): Promise<void>;
  /** Runs every statement in one transaction; any error rolls the whole batch back and is rethrown. */
  batch(connectionString: string, statements: Statement[], sinks: RowSink[], options: BatchOptions): Promise<void>;
  close(): Promise<void>;
}

const ISOLATION: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

export const isIsolationLevel = (level: string): boolean => level in ISOLATION;

export function beginStatement(options: BatchOptions): string {
  const parts = ['BEGIN'];
  if (options.isolationLevel) parts.push(`ISOLATION LEVEL ${ISOLATION[options.isolationLevel]}`);
  if (options.readOnly !== undefined) parts.push(options.readOnly ? 'READ ONLY' : 'READ WRITE');
  if (options.deferrable !== undefined) parts.push(options.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE');
  return parts.join(' ');
}
