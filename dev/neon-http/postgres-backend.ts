// The /sql stand-in in front of a real PostgreSQL server, through node-postgres.
import pg from 'pg';
import { beginStatement, type Backend, type BatchOptions, type RowSink, type Statement } from './backends.ts';
import { ResponseTooLarge } from './response.ts';

const rawText = { getTypeParser: () => (value: string) => value };

type Row = (string | null)[];

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

  /**
   * Streams the rows into the sink without keeping them. Once the answer is over its limit the rows that
   * still come are dropped and the call rejects at once; the caller must then destroy the connection
   * (release(true): node-postgres drops the socket of a client whose query is still running).
   */
  private static run(client: pg.PoolClient, statement: Statement, sink: RowSink): Promise<void> {
    return new Promise((resolve, reject) => {
      // `queryMode: 'extended'`: node-postgres would use the simple protocol for a query without values.
      const config = { text: statement.query, values: statement.params, rowMode: 'array' as const, types: rawText, queryMode: 'extended' };
      const query = new pg.Query<Row>(config);
      let described = false;
      let settled = false;
      const describe = (fields: pg.FieldDef[]) => {
        if (described) return;
        described = true;
        sink.fields(fields.map(({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier }) => ({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier })));
      };
      query.on('row', (row, result) => {
        if (settled) return;
        try {
          describe(result?.fields ?? []);
          sink.row(row);
        } catch (error) {
          settled = true;
          reject(error);
        }
      });
      query.on('error', (error) => {
        if (settled) return;
        settled = true;
        reject(error);
      });
      query.on('end', (result) => {
        if (settled) return;
        settled = true;
        describe(result.fields);
        sink.end({ command: result.command ?? '', rowCount: result.rowCount ?? null });
        resolve();
      });
      client.query(query);
    });
  }

  /**
   * Runs `work` on a client of the pool. A connection that dies while its client is out of the pool (the server
   * crashed or restarted under a query: the socket ends without an error message) makes node-postgres emit
   * 'error' on the client besides failing its query, and the pool listens only to idle clients: without this
   * listener that event would end the process. Such a client, and one `work` marks unhealthy, is dropped.
   */
  private async withClient(connectionString: string, work: (client: pg.PoolClient, drop: () => void) => Promise<void>): Promise<void> {
    const client = await this.pool(connectionString).connect();
    let healthy = true;
    const drop = () => void (healthy = false);
    client.on('error', drop);
    try {
      await work(client, drop);
    } finally {
      client.off('error', drop);
      client.release(!healthy);
    }
  }

  async query(connectionString: string, statement: Statement, sink: RowSink): Promise<void> {
    await this.withClient(connectionString, async (client, drop) => {
      try {
        await PostgresBackend.run(client, statement, sink);
      } catch (error) {
        if (error instanceof ResponseTooLarge) drop();
        throw error;
      }
    });
  }

  async batch(connectionString: string, statements: Statement[], sinks: RowSink[], options: BatchOptions): Promise<void> {
    await this.withClient(connectionString, async (client, drop) => {
      try {
        await client.query(beginStatement(options));
        for (const [i, statement] of statements.entries()) await PostgresBackend.run(client, statement, sinks[i]!);
        await client.query('COMMIT');
      } catch (error) {
        // A connection still streaming rows is dropped; PostgreSQL rolls its transaction back.
        if (error instanceof ResponseTooLarge) drop();
        else await client.query('ROLLBACK').catch(drop);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.end()));
    this.pools.clear();
  }
}
