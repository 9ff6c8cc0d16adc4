// The operators' webhooks: subscribe, list, change, remove; their delivery log and redeliveries. Every URL is
// checked (./target-url.ts) before anything is written, so a refused request writes nothing.
import { sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { Page, PageRequest } from '../../schemas/pagination.ts';
import type { CreatedWebhook, CreateWebhookBody, Delivery, UpdateWebhookBody, Webhook } from '../../schemas/webhooks.ts';
import { decodeCursor, toPage } from '../pagination.ts';
import { enqueueAfterResponse } from './outbox.ts';
import { newSigningSecret } from './signing.ts';
import { checkTargetUrl, dohResolver } from './target-url.ts';

const notFound = (id: number) => new AppError('not_found', `There is no webhook ${id}.`);

const webhookJson = (w: string) =>
  sql.raw(`json_build_object('id', ${w}.id, 'url', ${w}.url, 'events', ${w}.events, 'lot_ids', ${w}.lot_ids,
    'description', ${w}.description, 'enabled', ${w}.disabled_at IS NULL, 'disabled_at', api_time(${w}.disabled_at),
    'disabled_reason', ${w}.disabled_reason, 'failures_in_a_row', ${w}.failures_in_a_row,
    'created_at', api_time(${w}.created_at), 'updated_at', api_time(${w}.updated_at))`);

/** A Postgres array literal of enum-checked names or integers (nothing to quote). */
const arrayOf = (values: readonly (string | number)[]) => `{${values.join(',')}}`;

const uniqueEvents = (events: readonly string[]) => arrayOf([...new Set(events)]);
const lotIdsOf = (ids: readonly number[] | null | undefined) => (ids ? arrayOf([...new Set(ids)].sort((a, b) => a - b)) : null);

/**
 * lot.state_changed keeps each lot's last state only while someone subscribes (migration webhooks): the first
 * subscription takes every lot's state as it is now, in the statement that makes it, so the first change it
 * tells is a real one.
 */
const snapshotStates = (wantsStates: boolean, except: number) => sql`
  snapshot AS (
    INSERT INTO webhook_lot_states (lot_id, state)
    SELECT l.id, webhook_lot_state((SELECT count(*)::int FROM spots s WHERE s.lot_id = l.id AND s.status = 'available'), l.capacity)
    FROM parking_lots l
    WHERE ${wantsStates} AND NOT EXISTS (
      SELECT 1 FROM webhooks o WHERE o.id <> ${except} AND o.disabled_at IS NULL AND 'lot.state_changed' = ANY (o.events))
    ON CONFLICT (lot_id) DO UPDATE SET state = EXCLUDED.state
  )`;

const checkUrl = (deps: Deps, url: string) => checkTargetUrl(url, deps.config.environment, dohResolver);

export async function createWebhook(deps: Deps, input: CreateWebhookBody): Promise<CreatedWebhook> {
  const url = await checkUrl(deps, input.url);
  const secret = newSigningSecret();
  const { rows } = await deps.db.execute<{ webhook: Webhook }>(sql`
    WITH ${snapshotStates(input.events.includes('lot.state_changed'), 0)}, w AS (
      INSERT INTO webhooks (url, events, lot_ids, secret, description)
      VALUES (${url}, ${uniqueEvents(input.events)}::text[], ${lotIdsOf(input.lot_ids)}::int[], ${secret}, ${input.description ?? null})
      RETURNING *
    )
    SELECT ${webhookJson('w')} AS webhook FROM w`);
  return { ...rows[0]!.webhook, secret };
}

export async function listWebhooks(deps: Deps, request: PageRequest): Promise<Page<Webhook>> {
  const after = decodeCursor('webhooks', request.cursor, ['number'])?.[0] ?? 0;
  const { rows } = await deps.db.execute<{ webhook: Webhook }>(sql`
    SELECT ${webhookJson('w')} AS webhook FROM webhooks w WHERE w.id > ${after} ORDER BY w.id LIMIT ${request.limit + 1}`);
  return toPage('webhooks', rows.map((r) => r.webhook), request, (w) => [w.id]);
}

export async function getWebhook(deps: Deps, id: number): Promise<Webhook> {
  const { rows } = await deps.db.execute<{ webhook: Webhook }>(sql`SELECT ${webhookJson('w')} AS webhook FROM webhooks w WHERE w.id = ${id}`);
  if (!rows[0]) throw notFound(id);
  return rows[0].webhook;
}

export async function updateWebhook(deps: Deps, id: number, patch: UpdateWebhookBody): Promise<Webhook> {
  const url = patch.url === undefined ? undefined : await checkUrl(deps, patch.url);
  const has = (field: keyof UpdateWebhookBody) => patch[field] !== undefined;
  const enabling = patch.enabled === true;
  const disabling = patch.enabled === false;
  const set: SQL = sql`
    url = CASE WHEN ${url !== undefined} THEN ${url ?? null} ELSE url END,
    events = CASE WHEN ${has('events')} THEN ${patch.events ? uniqueEvents(patch.events) : null}::text[] ELSE events END,
    lot_ids = CASE WHEN ${has('lot_ids')} THEN ${lotIdsOf(patch.lot_ids)}::int[] ELSE lot_ids END,
    description = CASE WHEN ${has('description')} THEN ${patch.description ?? null} ELSE description END,
    disabled_at = CASE WHEN ${enabling} THEN NULL WHEN ${disabling} THEN coalesce(disabled_at, now()) ELSE disabled_at END,
    disabled_reason = CASE WHEN ${enabling} THEN NULL WHEN ${disabling} THEN coalesce(disabled_reason, 'disabled by an operator') ELSE disabled_reason END,
    failures_in_a_row = CASE WHEN ${enabling} THEN 0 ELSE failures_in_a_row END,
    updated_at = now()`;
  // Subscribing anew to lot states: by adding the event, or by turning a webhook that has it back on.
  const wantsStates = patch.events ? patch.events.includes('lot.state_changed') || false : enabling;
  const { rows } = await deps.db.execute<{ webhook: Webhook }>(sql`
    WITH ${snapshotStates(wantsStates, id)}, w AS (UPDATE webhooks SET ${set} WHERE id = ${id} RETURNING *)
    SELECT ${webhookJson('w')} AS webhook FROM w`);
  if (!rows[0]) throw notFound(id);
  return rows[0].webhook;
}

export async function deleteWebhook(deps: Deps, id: number): Promise<void> {
  const { rows } = await deps.db.execute(sql`DELETE FROM webhooks WHERE id = ${id} RETURNING id`);
  if (!rows[0]) throw notFound(id);
}

const deliveryJson = sql.raw(`json_build_object('id', d.id, 'webhook_id', d.webhook_id, 'event_id', d.event_id, 'event_type', e.type,
  'message_id', 'msg_' || d.id, 'status', d.status, 'attempts', d.attempts, 'last_status_code', d.last_status_code,
  'last_latency_ms', d.last_latency_ms, 'last_error', d.last_error, 'next_retry_at', api_time(d.next_retry_at),
  'delivered_at', api_time(d.delivered_at), 'created_at', api_time(e.created_at), 'log', d.log)`);

/** The webhook's deliveries, newest first: a keyset page of its index (webhook_id, id DESC). */
export async function listDeliveries(deps: Deps, id: number, request: PageRequest): Promise<Page<Delivery>> {
  const before = decodeCursor(`webhooks/${id}/deliveries`, request.cursor, ['number'])?.[0];
  const [exists, page] = await deps.db.batch([
    deps.db.execute(sql`SELECT 1 FROM webhooks WHERE id = ${id}`),
    deps.db.execute<{ delivery: Delivery }>(sql`
      SELECT ${deliveryJson} AS delivery FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
      WHERE d.webhook_id = ${id} AND (${before ?? null}::bigint IS NULL OR d.id < ${before ?? null}::bigint)
      ORDER BY d.id DESC LIMIT ${request.limit + 1}`),
  ]);
  if (exists.rows.length === 0) throw notFound(id);
  return toPage(`webhooks/${id}/deliveries`, page.rows.map((r) => r.delivery), request, (d) => [d.id]);
}

/**
 * Sends a delivery again, as the same message (same `webhook-id`), its log going on. Refused while it is still
 * pending (409 delivery_pending) and while the webhook is disabled (409 webhook_disabled).
 */
export async function redeliver(deps: Deps, id: number, deliveryId: number): Promise<Delivery> {
  const { rows } = await deps.db.execute<{ found: boolean; disabled: boolean; pending: boolean; delivery: Delivery | null }>(sql`
    WITH target AS (
      SELECT d.id, d.status, w.disabled_at IS NOT NULL AS disabled FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
      WHERE d.id = ${deliveryId} AND d.webhook_id = ${id} FOR UPDATE OF d
    ), d AS (
      UPDATE webhook_deliveries SET status = 'pending', enqueued_at = NULL, next_retry_at = NULL, delivered_at = NULL
      WHERE id IN (SELECT id FROM target WHERE status <> 'pending' AND NOT disabled)
      RETURNING *
    )
    SELECT EXISTS (SELECT 1 FROM target) AS found, coalesce((SELECT disabled FROM target), false) AS disabled,
           coalesce((SELECT status = 'pending' FROM target), false) AS pending,
           (SELECT ${deliveryJson} FROM d JOIN webhook_events e ON e.id = d.event_id) AS delivery`);
  const row = rows[0]!;
  if (!row.found) throw new AppError('not_found', `Webhook ${id} has no delivery ${deliveryId}.`);
  if (row.disabled) throw new AppError('webhook_disabled', 'This webhook is disabled: turn it on (PATCH enabled: true) first.');
  if (row.pending || !row.delivery) throw new AppError('delivery_pending', 'This delivery is still on its way; its next attempt is in the log.');
  enqueueAfterResponse(deps);
  return row.delivery;
}
