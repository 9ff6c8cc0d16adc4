// The Postgres client: Neon's HTTP driver under drizzle. Every query is one HTTP round trip, bounded by
// the database timeout; `transaction()` batches several statements into one round trip. A transaction
// aborted by a deadlock or a serialization failure is re-sent (./retrying-fetch.ts).
import { neon, neonConfig } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-http';
import type { Config } from '../env.ts';
import { retryingFetch } from './retrying-fetch.ts';
import * as schema from './schema.ts';

export type Database = ReturnType<typeof createDatabase>;

export function createDatabase(config: Config) {
  // neonConfig is module-wide; these values are the same for every request of an isolate.
  if (config.neonHttpEndpoint) neonConfig.fetchEndpoint = config.neonHttpEndpoint;
  neonConfig.fetchFunction = retryingFetch(config.databaseTimeoutMs);
  const client = neon(config.databaseUrl);
  return drizzle({ client, schema });
}
