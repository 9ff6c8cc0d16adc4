/// <reference types="vite/client" />
// A PostgreSQL database of one test file's own, on the server of the run's test database: where a test must
// know every row (exact totals, not just figures that grew), other files writing meanwhile would make it
// guess. It is migrated with the files of migrations/ (bundled here by Vite), split at drizzle's breakpoints
// as drizzle's migrator splits them, one statement per request as the Neon stand-in demands; `upTo` stops
// before a migration, so a test can write data the way an older schema held it and then migrate.
//
// Its name starts with the run's database name (parkedge_test_{pid}_…), so that a run killed before its
// teardown leaves nothing the next run's orphan sweep does not drop. It answers through the same Neon
// stand-in, and the API reaches it with `env` (no Redis: caches and sessions keyed by id would otherwise
// meet the shared database's under the same keys).
import { neon, type NeonQueryFunction } from '@neondatabase/serverless';
import type { Env } from '../../src/env.ts';
import { testEnv } from './http.ts';
import { sql as sharedSql } from './fixtures.ts';

const files = import.meta.glob('../../migrations/*.sql', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** The migrations in the order drizzle applies them (their names start with their index). */
export const migrations = Object.entries(files)
  .map(([path, text]) => ({ name: path.split('/').pop()!.replace(/\.sql$/, ''), statements: text.split('--> statement-breakpoint').filter((s) => s.trim() !== '') }))
  .sort((a, b) => a.name.localeCompare(b.name));

export interface IsolatedDatabase {
  url: string;
  sql: NeonQueryFunction<false, false>;
  /** The Worker's bindings with this database and no Redis. */
  env: Env;
  /** Applies the migrations not applied yet, all of them or those before `upTo` (a name prefix: '0010'). */
  migrate(upTo?: string): Promise<void>;
  drop(): Promise<void>;
}

export async function isolatedDatabase(purpose: string): Promise<IsolatedDatabase> {
  const [{ version }] = (await sharedSql`SELECT version()`) as [{ version: string }];
  if (/pglite|emscripten/i.test(version)) {
    throw new Error(`This file needs a database of its own, which embedded PGlite (${version}) cannot make. Start PostgreSQL on 127.0.0.1:5432 or run bash .ci/run.`);
  }
  const shared = new URL(testEnv.DATABASE_URL);
  const name = `${decodeURIComponent(shared.pathname.slice(1))}_${purpose}`;
  const quoted = `"${name.replaceAll('"', '""')}"`;
  await sharedSql.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  await sharedSql.query(`CREATE DATABASE ${quoted}`);
  const url = new URL(shared);
  url.pathname = `/${encodeURIComponent(name)}`;
  const sql = neon(url.toString());
  let applied = 0;
  return {
    url: url.toString(),
    sql,
    env: { ...testEnv, DATABASE_URL: url.toString(), UPSTASH_REDIS_REST_URL: '', UPSTASH_REDIS_REST_TOKEN: '' },
    async migrate(upTo) {
      for (const migration of migrations.slice(applied)) {
        if (upTo !== undefined && migration.name.startsWith(upTo)) break;
        for (const statement of migration.statements) await sql.query(statement);
        applied += 1;
      }
    },
    drop: async () => {
      await sharedSql.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    },
  };
}
