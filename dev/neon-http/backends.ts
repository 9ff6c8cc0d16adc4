// Where the Neon-compatible /sql endpoint sends its queries: a real PostgreSQL over TCP (node-postgres), or
// embedded PostgreSQL (PGlite) when no server is reachable. Both answer with raw text values, which is what
// the Neon driver asks for (`Neon-Raw-Text-Output: true`) and parses itself by type OID.
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';

export interface Field {
  name: string;
  dataTypeID: number;
}

export interface QueryResult {
  command: string;
  rowCount: number;
  fields: Field[];
  rows: (string | null)[][];
}

export interface Statement {
  query: string;
  params: (string | null)[];
}

export interface BatchOptions {
  isolationLevel?: string;
  readOnly?: boolean;
  deferrable?: boolean;
}

export interface Backend {
  query(connectionString: string, statement: Statement): Promise<QueryResult>;
  /** Runs every statement in one transaction; any error rolls the whole batch back and is rethrown. */
  batch(connectionString: string, statements: Statement[], options: BatchOptions): Promise<QueryResult[]>;
  close(): Promise<void>;
}

const ISOLATION: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};

export function beginStatement(options: BatchOptions): string {
  const parts = ['BEGIN'];
  if (options.isolationLevel) {
    const level = ISOLATION[options.isolationLevel];
    if (!level) throw new RangeError(`unknown isolation level ${options.isolationLevel}`);
    parts.push(`ISOLATION LEVEL ${level}`);
  }
  if (options.readOnly !== undefined) parts.push(options.readOnly ? 'READ ONLY' : 'READ WRITE');
  if (options.deferrable !== undefined) parts.push(options.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE');
  return parts.join(' ');
}

function commandOf(sql: string): string {
  return /^\s*(?:--[^\n]*\n\s*)*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}

const rawText = { getTypeParser: () => (value: string) => value };

/** A pool per connection string, as Neon's proxy opens connections for the database the string names. */
export class PostgresBackend implements Backend {
  private readonly pools = new Map<string, pg.Pool>();

  private pool(connectionString: string): pg.Pool {
    const url = new URL(connectionString);
    url.searchParams.delete('sslmode');
    url.searchParams.delete('application_name'); // a per-test tag (see ../lib/control.ts), not a reason for a new pool
    const key = url.toString();
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new pg.Pool({ connectionString: key, max: 10, connectionTimeoutMillis: 3000, idleTimeoutMillis: 10_000 });
      pool.on('error', () => {}); // an idle client lost its server; the pool replaces it
      this.pools.set(key, pool);
    }
    return pool;
  }

  private static async run(client: pg.Pool | pg.PoolClient, statement: Statement): Promise<QueryResult> {
    const result = await client.query({ text: statement.query, values: statement.params, rowMode: 'array', types: rawText });
    return {
      command: result.command ?? commandOf(statement.query),
      rowCount: result.rowCount ?? result.rows.length,
      fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      rows: result.rows as (string | null)[][],
    };
  }

  query(connectionString: string, statement: Statement): Promise<QueryResult> {
    return PostgresBackend.run(this.pool(connectionString), statement);
  }

  async batch(connectionString: string, statements: Statement[], options: BatchOptions): Promise<QueryResult[]> {
    const client = await this.pool(connectionString).connect();
    let healthy = true;
    try {
      await client.query(beginStatement(options));
      const results: QueryResult[] = [];
      for (const statement of statements) results.push(await PostgresBackend.run(client, statement));
      await client.query('COMMIT');
      return results;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (healthy = false));
      throw error;
    } finally {
      client.release(!healthy);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
  }
}

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

  private async run(target: Pick<PGlite, 'query'>, statement: Statement): Promise<QueryResult> {
    const result = await target.query<(string | null)[]>(statement.query, statement.params, {
      rowMode: 'array',
    });
    return {
      command: (result as { command?: string }).command ?? commandOf(statement.query),
      rowCount: result.affectedRows ?? result.rows.length,
      fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      rows: result.rows,
    };
  }

  private reach(connectionString: string): void {
    const host = new URL(connectionString).host;
    if (host !== this.server) throw new Error(`connect ECONNREFUSED ${host} (only ${this.server} is served, by embedded PGlite)`);
  }

  async query(connectionString: string, statement: Statement): Promise<QueryResult> {
    this.reach(connectionString);
    return this.run(this.db, statement);
  }

  async batch(connectionString: string, statements: Statement[], options: BatchOptions): Promise<QueryResult[]> {
    this.reach(connectionString);
    // PGlite's transaction() holds its single connection exclusively, so batches never interleave.
    return this.db.transaction(async (tx) => {
      const begin = beginStatement(options);
      if (begin !== 'BEGIN') await tx.exec(`SET TRANSACTION ${begin.slice('BEGIN '.length)}`);
      const results: QueryResult[] = [];
      for (const statement of statements) results.push(await this.run(tx, statement));
      return results;
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
