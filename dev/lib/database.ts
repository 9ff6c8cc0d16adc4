// The database side of a local stack: making sure the database exists, applying the migrations through
// the Neon HTTP protocol (the same path the Worker uses), and seeding the first admin.
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import { migrate } from 'drizzle-orm/neon-http/migrator';
import pg from 'pg';
import { hashPassword } from '../../src/services/auth/password.ts';

export const MIGRATIONS_FOLDER = new URL('../../migrations', import.meta.url).pathname;

/** Runs `work` on a connection to the server's `postgres` database, for creating and dropping others. */
async function onServer<T>(connectionString: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(connectionString);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const databaseName = (connectionString: string) => decodeURIComponent(new URL(connectionString).pathname.slice(1));
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database of `connectionString` if it is missing (or afresh, with `recreate`). */
export async function ensureDatabase(connectionString: string, options: { recreate?: boolean } = {}): Promise<void> {
  const name = databaseName(connectionString);
  await onServer(connectionString, async (admin) => {
    if (options.recreate) await admin.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${quoted(name)}`);
  });
}

export async function dropDatabase(connectionString: string): Promise<void> {
  await onServer(connectionString, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoted(databaseName(connectionString))} WITH (FORCE)`));
}

/**
 * Drops the databases named `{prefix}{pid}_…` whose process is gone: what test runs left behind when they
 * were killed before their teardown.
 */
export async function dropOrphanDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onServer(serverUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    for (const { datname } of rows) {
      const pid = Number(datname.slice(prefix.length).split('_')[0]);
      if (!Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS ${quoted(datname)} WITH (FORCE)`).catch(() => {});
    }
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Points the Neon driver of this Node process at a local /sql endpoint (no-op for real Neon). */
export function useSqlEndpoint(sqlEndpoint: string | undefined): void {
  if (sqlEndpoint) neonConfig.fetchEndpoint = sqlEndpoint;
}

export async function migrateDatabase(databaseUrl: string): Promise<void> {
  const db = drizzle({ client: neon(databaseUrl) });
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/** Creates the admin if no user has that email; an existing account keeps its password but becomes admin. */
export async function seedAdmin(databaseUrl: string, email: string, password: string): Promise<'created' | 'kept'> {
  const sql = neon(databaseUrl);
  const passwordHash = await hashPassword(password);
  const rows = await sql`
    INSERT INTO users (email, password_hash, name, role)
    VALUES (${email}, ${passwordHash}, 'Administrator', 'admin')
    ON CONFLICT ((lower(email))) DO UPDATE SET role = 'admin', updated_at = now()
    RETURNING (xmax = 0) AS created`;
  return rows[0]?.created ? 'created' : 'kept';
}
