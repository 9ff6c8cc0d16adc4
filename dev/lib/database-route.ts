// How this machine reaches PostgreSQL the way the Worker does (Neon's HTTP protocol):
// - DATABASE_URL on a Neon host: straight to Neon, nothing started;
// - DATABASE_URL and NEON_HTTP_ENDPOINT both set: that endpoint, nothing started;
// - DATABASE_URL of a plain PostgreSQL: the /sql stand-in in front of it;
// - nothing set: the local PostgreSQL's `parkedge` database, or embedded PGlite (kept in .data/pglite) when no
//   PostgreSQL answers.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PgliteBackend, PostgresBackend, type Backend } from '../neon-http/backends.ts';
import { startNeonHttp, type NeonHttpServer } from '../neon-http/server.ts';
import { ensureDatabase, useSqlEndpoint } from './database.ts';
import { portIsFree, postgresAnswers } from './probe.ts';

export const LOCAL_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/parkedge';
const PGLITE_DIR = new URL('../../.data/pglite', import.meta.url).pathname;

export interface DatabaseRoute {
  databaseUrl: string;
  /** The /sql endpoint to give the Worker as NEON_HTTP_ENDPOINT; undefined for real Neon. */
  sqlEndpoint: string | undefined;
  description: string;
  server: NeonHttpServer | null;
  close(): Promise<void>;
}

function isNeonHost(databaseUrl: string): boolean {
  return /\.neon\.(tech|build)$/.test(new URL(databaseUrl).hostname);
}

export async function openDatabaseRoute(env: NodeJS.ProcessEnv, port?: number): Promise<DatabaseRoute> {
  const given = env.DATABASE_URL?.trim();
  if (given && isNeonHost(given)) {
    return { databaseUrl: given, sqlEndpoint: undefined, description: 'Neon (DATABASE_URL)', server: null, close: async () => {} };
  }
  if (given && env.NEON_HTTP_ENDPOINT) {
    useSqlEndpoint(env.NEON_HTTP_ENDPOINT);
    return { databaseUrl: given, sqlEndpoint: env.NEON_HTTP_ENDPOINT, description: `${env.NEON_HTTP_ENDPOINT} (NEON_HTTP_ENDPOINT)`, server: null, close: async () => {} };
  }

  const databaseUrl = given || LOCAL_DATABASE_URL;
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  let backend: Backend;
  let description: string;
  if (await postgresAnswers(adminUrl.toString())) {
    if (!given) await ensureDatabase(databaseUrl);
    backend = new PostgresBackend();
    description = `PostgreSQL at ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}`;
  } else if (given) {
    throw new Error(`DATABASE_URL is set but no PostgreSQL answers at ${new URL(given).host}`);
  } else {
    mkdirSync(PGLITE_DIR, { recursive: true });
    backend = new PgliteBackend(await PGlite.create({ dataDir: PGLITE_DIR }), databaseUrl);
    description = 'embedded PostgreSQL (PGlite, data in .data/pglite): no PostgreSQL answers on 127.0.0.1:5432';
  }
  const listenPort = port !== undefined && (await portIsFree(port)) ? port : 0;
  const server = await startNeonHttp({ backend, port: listenPort });
  useSqlEndpoint(server.sqlEndpoint);
  return {
    databaseUrl,
    sqlEndpoint: server.sqlEndpoint,
    description,
    server,
    close: async () => {
      await server.close();
      await backend.close();
    },
  };
}
