// The dead-letter queue's consumer: a message lands here after max_retries failed attempts. It records the
// final failure (the delivery `failed`, no next retry) and counts it against the webhook: after
// WEBHOOK_DISABLE_AFTER such deliveries in a row (a success resets the count) the webhook is disabled, and
// `disabled_reason` says why, with the last error, so the operator sees it on GET /webhooks/:id.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { DeliveryMessage } from '../../schemas/webhooks.ts';

async function recordDead(deps: Deps, id: number): Promise<void> {
  const limit = deps.config.webhooks.disableAfter;
  const { rows } = await deps.db.execute<{ webhook_id: number; disabled: boolean }>(sql`
    WITH d AS (
      UPDATE webhook_deliveries SET status = 'failed', next_retry_at = NULL,
        log = CASE WHEN jsonb_array_length(log) > 0
                   THEN jsonb_set(log, ARRAY[(jsonb_array_length(log) - 1)::text, 'next_retry_at'], 'null'::jsonb) ELSE log END
      WHERE id = ${id} AND status = 'pending'
      RETURNING webhook_id, attempts, last_error
    )
    UPDATE webhooks w SET
      failures_in_a_row = w.failures_in_a_row + 1,
      disabled_at = CASE WHEN w.disabled_at IS NULL AND w.failures_in_a_row + 1 >= ${limit} THEN now() ELSE w.disabled_at END,
      disabled_reason = CASE WHEN w.disabled_at IS NULL AND w.failures_in_a_row + 1 >= ${limit}
        THEN format('disabled after %s deliveries in a row failed every attempt; the last one (delivery %s, %s attempts): %s',
                    w.failures_in_a_row + 1, ${id}::bigint, d.attempts, coalesce(d.last_error, 'no answer'))
        ELSE w.disabled_reason END,
      updated_at = CASE WHEN w.disabled_at IS NULL AND w.failures_in_a_row + 1 >= ${limit} THEN now() ELSE w.updated_at END
    FROM d WHERE w.id = d.webhook_id
    RETURNING w.id AS webhook_id, w.disabled_at IS NOT NULL AS disabled`);
  const row = rows[0];
  console.log(JSON.stringify({ webhooks: 'dead_letter', delivery: id, webhook: row?.webhook_id ?? null, disabled: row?.disabled ?? null }));
}

export async function recordDeadLetters(deps: Deps, batch: MessageBatch<DeliveryMessage>): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await recordDead(deps, message.body.delivery_id);
        message.ack();
      } catch (error) {
        console.error(JSON.stringify({ webhooks: 'dead_letter_error', delivery: message.body.delivery_id, error: String(error) }));
        message.retry({ delaySeconds: 30 });
      }
    }),
  );
}
