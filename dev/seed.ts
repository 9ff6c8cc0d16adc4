// npm run db:seed: creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD.
import { adminCredentials } from './lib/admin.ts';
import { seedAdmin } from './lib/database.ts';
import { openDatabaseRoute } from './lib/database-route.ts';

const route = await openDatabaseRoute(process.env);
try {
  const admin = adminCredentials(process.env, !process.env.DATABASE_URL);
  const outcome = await seedAdmin(route.databaseUrl, admin.email, admin.password);
  console.log(`admin ${admin.email} ${outcome === 'created' ? 'created' : 'already present (password kept, role admin)'}`);
} finally {
  await route.close();
}
