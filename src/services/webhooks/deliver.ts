// The queue consumer: one attempt per message. A 2xx answer is a delivery; anything else (another status, no
// answer within WEBHOOK_TIMEOUT_MS, a refused connection) is retried by the queue after a delay that doubles
// each time (WEBHOOK_RETRY_BASE_SECONDS × 2^(attempt−1), at most 12 hours, the queue's limit), until max_retries
// moves the message to the dead-letter queue (./dead-letter.ts). Every attempt is written to the delivery's log.
import { sql } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import type { DeliveryMessage, WebhookEventType } from '../../schemas/webhooks.ts';
import { messageIdOf, signatureHeaders } from './signing.ts';

/** The queue's longest delay. */
const MAX_DELAY_SECONDS = 12 * 60 * 60;
/** Kept of a receiver's answer in the log: enough to tell what went wrong. */
const ERROR_CHARS = 200;
/** Attempts kept in a delivery's log. */
export const LOG_ATTEMPTS = 50;

type Work = {
  id: number;
  status: string;
  url: string;
  secret: string;
  disabled: boolean;
  subscribed: boolean;
  type: WebhookEventType;
  data: unknown;
  created_at: string;
};

export const retryDelaySeconds = (baseSeconds: number, queueAttempt: number) =>
  Math.min(MAX_DELAY_SECONDS, baseSeconds * 2 ** Math.max(0, queueAttempt - 1));

async function load(deps: Deps, id: number): Promise<Work | undefined> {
  const { rows } = await deps.db.execute<Work>(sql`
    SELECT d.id::int AS id, d.status, w.url, w.secret, w.disabled_at IS NOT NULL AS disabled,
           e.type = ANY (w.events) AS subscribed, e.type, e.data, api_time(e.created_at) AS created_at
    FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN webhook_events e ON e.id = d.event_id
    WHERE d.id = ${id}`);
  return rows[0];
}

interface Outcome {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** One POST, signed, with a deadline; redirects are not followed (a 3xx is a failure, named in the log). */
async function attempt(deps: Deps, work: Work): Promise<Outcome> {
  const body = JSON.stringify({ type: work.type, timestamp: work.created_at, data: work.data });
  const headers = await signatureHeaders(work.secret, messageIdOf(work.id), body, new Date());
  const started = Date.now();
  try {
    const response = await fetch(work.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'ParkEdge-Webhooks/1' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.config.webhooks.timeoutMs),
    });
    const latencyMs = Date.now() - started;
    const ok = response.status >= 200 && response.status < 300;
    const text = ok ? '' : (await response.text().catch(() => '')).slice(0, ERROR_CHARS);
    await response.body?.cancel().catch(() => {});
    return { ok, statusCode: response.status, latencyMs, error: ok ? null : `HTTP ${response.status}${text ? `: ${text}` : ''}` };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { ok: false, statusCode: null, latencyMs: Date.now() - started, error: timedOut ? `no answer within ${deps.config.webhooks.timeoutMs} ms` : `request failed: ${String(error).slice(0, ERROR_CHARS)}` };
  }
}

/** Records an attempt and its outcome in one statement; a success also resets the webhook's failure count. */
async function record(deps: Deps, id: number, outcome: Outcome, nextRetrySeconds: number | null): Promise<void> {
  const next = nextRetrySeconds === null ? sql`NULL::timestamptz` : sql`now() + make_interval(secs => ${nextRetrySeconds})`;
  await deps.db.execute(sql`
    WITH d AS (
      UPDATE webhook_deliveries SET
        attempts = attempts + 1,
        status = CASE WHEN ${outcome.ok} THEN 'delivered' ELSE status END,
        delivered_at = CASE WHEN ${outcome.ok} THEN now() ELSE delivered_at END,
        last_attempt_at = now(), last_status_code = ${outcome.statusCode}, last_latency_ms = ${outcome.latencyMs},
        last_error = ${outcome.error}, next_retry_at = ${next},
        log = (CASE WHEN jsonb_array_length(log) >= ${LOG_ATTEMPTS} THEN log - 0 ELSE log END) || jsonb_build_array(jsonb_build_object(
          'attempt', attempts + 1, 'at', api_time(now()), 'status_code', ${outcome.statusCode}::int, 'latency_ms', ${outcome.latencyMs}::int,
          'error', ${outcome.error}::text, 'next_retry_at', api_time(${next})))
      WHERE id = ${id}
      RETURNING webhook_id
    )
    UPDATE webhooks SET failures_in_a_row = 0 WHERE ${outcome.ok} AND failures_in_a_row <> 0 AND id IN (SELECT webhook_id FROM d)`);
}

const skip = (deps: Deps, id: number) => deps.db.execute(sql`UPDATE webhook_deliveries SET status = 'skipped', next_retry_at = NULL WHERE id = ${id} AND status = 'pending'`);

/** Handles one message: acknowledged when done or moot, retried with a growing delay when the attempt failed. */
export async function deliverMessage(deps: Deps, message: Message<DeliveryMessage>): Promise<void> {
  const work = await load(deps, message.body.delivery_id);
  if (!work || work.status !== 'pending') return message.ack();
  if (work.disabled || !work.subscribed) {
    await skip(deps, work.id);
    return message.ack();
  }
  const outcome = await attempt(deps, work);
  const delay = outcome.ok ? null : retryDelaySeconds(deps.config.webhooks.retryBaseSeconds, message.attempts);
  await record(deps, work.id, outcome, delay);
  console.log(JSON.stringify({ webhooks: 'attempt', delivery: work.id, attempt: message.attempts, ok: outcome.ok, status: outcome.statusCode, ms: outcome.latencyMs, retry_in_s: delay }));
  if (outcome.ok) message.ack();
  else message.retry({ delaySeconds: delay! });
}

/** A batch: its messages side by side (each its own receiver). A message whose bookkeeping failed is retried. */
export async function deliverBatch(deps: Deps, batch: MessageBatch<DeliveryMessage>): Promise<void> {
  await Promise.all(
    batch.messages.map((message) =>
      deliverMessage(deps, message).catch((error: unknown) => {
        console.error(JSON.stringify({ webhooks: 'consumer_error', delivery: message.body.delivery_id, error: String(error) }));
        message.retry({ delaySeconds: retryDelaySeconds(deps.config.webhooks.retryBaseSeconds, message.attempts) });
      }),
    ),
  );
}
