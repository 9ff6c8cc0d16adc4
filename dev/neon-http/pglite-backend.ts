// The /sql stand-in in front of embedded PostgreSQL (PGlite), when no server is reachable.
import type { PGlite } from '@electric-sql/pglite';
import { beginStatement, type Backend, type BatchOptions, type RowSink, type Statement } from './backends.ts';

type Row = (string | null)[];

const identityParsers = new Proxy({}, { get: () => (value: string) => value });

/**
 * Embedded PostgreSQL standing in for the server of `serverUrl`: a connection string naming another host or
 * port is refused as an unreachable server would be; any database name reaches the one database. One
 * statement at a time. It takes the PGlite instance over: every value it returns from then on is raw text.
 */
export class PgliteBackend implements Backend {
  private readonly db: PGlite;
  private readonly server: string;

  constructor(db: PGlite, serverUrl: string) {
    this.db = db;
    this.server = new URL(serverUrl).host;
    // PGlite merges per-query parsers into a copy (losing a Proxy's catch-all), but uses the instance's own
    // parsers object as it is.
    (db as unknown as { parsers: object }).parsers = identityParsers;
  }

  /** PGlite's query() is its extended-protocol path (exec() would take several statements). */
  private async run(target: Pick<PGlite, 'query'>, statement: Statement, sink: RowSink): Promise<void> {
    const result = await target.query<Row>(statement.query, statement.params, { rowMode: 'array' });
    sink.fields(result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })));
    for (const row of result.rows) sink.row(row);
    const tag = result as { command?: string; rowCount?: number };
    sink.end({ command: tag.command ?? '', rowCount: tag.rowCount ?? null });
  }

  private reach(connectionString: string): void {
    const host = new URL(connectionString).host;
    if (host !== this.server) throw new Error(`connect ECONNREFUSED ${host} (only ${this.server} is served, by embedded PGlite)`);
  }

  async query(connectionString: string, statement: Statement, sink: RowSink): Promise<void> {
    this.reach(connectionString);
    await this.run(this.db, statement, sink);
  }

  async batch(connectionString: string, statements: Statement[], sinks: RowSink[], options: BatchOptions): Promise<void> {
    this.reach(connectionString);
    // PGlite's transaction() holds its single connection exclusively, so batches never interleave.
    await this.db.transaction(async (tx) => {
      const begin = beginStatement(options);
      if (begin !== 'BEGIN') await tx.exec(`SET TRANSACTION ${begin.slice('BEGIN '.length)}`);
      for (const [i, statement] of statements.entries()) await this.run(tx, statement, sinks[i]!);
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
