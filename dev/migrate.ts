// npm run db:migrate: applies the migrations in migrations/ (idempotent: applied ones are skipped).
import { migrateDatabase } from './lib/database.ts';
import { openDatabaseRoute } from './lib/database-route.ts';

const route = await openDatabaseRoute(process.env);
try {
  await migrateDatabase(route.databaseUrl);
  console.log(`migrations applied to ${route.description}`);
} finally {
  await route.close();
}
