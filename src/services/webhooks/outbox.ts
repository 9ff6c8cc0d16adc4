// From the outbox to the queue. The triggers (migration webhooks) write a delivery row in the transaction of
// each change; after the response, the request that made a change claims the rows not yet enqueued and sends
// their ids to the queue. A claim is one statement (`enqueued_at` set under SKIP LOCKED), so two claimers never
// send one row twice; a send that fails hands its rows back, and a Worker that dies between claim and send
// leaves rows that the minute sweep takes again. At least once: the receiver may see a repeat, with the same
// `webhook-id`.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { Deps, RequestWork } from '../../deps.ts';
import type { DeliveryMessage } from '../../schemas/webhooks.ts';

/** Rows per claim: a queue batch send takes at most 100 messages. */
const CLAIM_ROWS = 100;
/** A claimed row still unattempted after this long was lost between claim and send: the sweep sends it again. */
const LOST_CLAIM_SECONDS = 300;

type Queue = Deps['webhookQueue'];

/**
 * Claims up to CLAIM_ROWS rows and sends them. `minAgeSeconds`: only rows older than that (the sweep leaves the
 * rows of a change that just committed to the request that made it). Returns how many were sent.
 */
export async function enqueueUnsent(db: Database, queue: Queue, options: { minAgeSeconds: number; lostClaims: boolean }): Promise<number> {
  const lost = options.lostClaims ? sql`OR (status = 'pending' AND attempts = 0 AND enqueued_at < now() - make_interval(secs => ${LOST_CLAIM_SECONDS}))` : sql``;
  const { rows } = await db.execute<{ id: string | number }>(sql`
    UPDATE webhook_deliveries SET enqueued_at = now()
    WHERE id IN (
      SELECT id FROM webhook_deliveries
      WHERE ((status = 'pending' AND enqueued_at IS NULL AND created_at <= now() - make_interval(secs => ${options.minAgeSeconds})) ${lost})
      ORDER BY id LIMIT ${CLAIM_ROWS} FOR UPDATE SKIP LOCKED)
    RETURNING id`);
  const ids = rows.map((row) => Number(row.id));
  if (ids.length === 0) return 0;
  try {
    await queue.sendBatch(ids.map((id) => ({ body: { delivery_id: id } satisfies DeliveryMessage, contentType: 'json' as const })));
  } catch (error) {
    // Handed back at once, so the next dispatch or sweep sends them (not only after LOST_CLAIM_SECONDS).
    await db.execute(sql`UPDATE webhook_deliveries SET enqueued_at = NULL WHERE id = ANY(${`{${ids.join(',')}}`}::bigint[]) AND attempts = 0`).catch(() => {});
    throw error;
  }
  return ids.length;
}

const scheduled = new WeakSet<RequestWork>();

/**
 * After a change that may have written outbox rows: enqueue them after the response (once per request, however
 * many changes it made). A failure is logged; the sweep delivers those rows within a minute.
 */
export function enqueueAfterResponse(deps: Deps): void {
  if (scheduled.has(deps.request)) return;
  scheduled.add(deps.request);
  deps.request.defer(() =>
    enqueueUnsent(deps.db, deps.webhookQueue, { minAgeSeconds: 0, lostClaims: false }).catch((error: unknown) => {
      console.error(JSON.stringify({ webhooks: 'enqueue_failed', error: String(error) }));
    }),
  );
}

/** The minute cron: everything still unsent after 10 s, and claims lost on the way to the queue. */
export async function sweepOutbox(deps: Deps, minAgeSeconds = 10): Promise<number> {
  let sent = 0;
  // Bounded: a long backlog goes on at the next minute.
  for (let round = 0; round < 10; round += 1) {
    const n = await enqueueUnsent(deps.db, deps.webhookQueue, { minAgeSeconds, lostClaims: true });
    sent += n;
    if (n < CLAIM_ROWS) break;
  }
  return sent;
}
