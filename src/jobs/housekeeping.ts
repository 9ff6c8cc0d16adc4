// Postgres housekeeping, in one statement: idempotency keys are honoured for 24 hours (SPEC), and ended
// sessions are kept a week after they expired or were revoked (enough to look into a recent sign-out), then
// deleted. The database's clock decides, not the trigger's scheduled time, so that a delayed or replayed run
// never deletes more than it should.
import { sql } from 'drizzle-orm';
import type { Deps } from '../deps.ts';

export async function deleteExpiredRecords(deps: Deps) {
  const result = await deps.db.execute<{ idempotency_keys: number; sessions: number }>(sql`
    WITH old_keys AS (
      DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours' RETURNING 1
    ), old_sessions AS (
      DELETE FROM sessions
      WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days'
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM old_keys)::int AS idempotency_keys, (SELECT count(*) FROM old_sessions)::int AS sessions`);
  const row = result.rows[0];
  return { idempotencyKeysDeleted: Number(row?.idempotency_keys ?? 0), sessionsDeleted: Number(row?.sessions ?? 0) };
}
