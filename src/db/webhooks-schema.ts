// Webhooks: the operators' subscriptions, the outbox of events and the deliveries (one per event and
// subscription) with their log. Part of the schema (schema.ts re-exports it); the triggers that write the outbox
// in the statement of each change are SQL in the migration (webhook_outbox).
import { sql } from 'drizzle-orm';
import { parkingLots } from './schema.ts';
import { bigint, bigserial, check, index, integer, jsonb, pgTable, serial, smallint, text } from 'drizzle-orm/pg-core';
import { moment } from './columns.ts';


export const webhooks = pgTable('webhooks', {
  id: serial('id').primaryKey(),
  url: text('url').notNull(),
  /** Event types (schemas/webhooks.ts WebhookEventType); the outbox triggers match on them. */
  events: text('events').array().notNull(),
  /** Only events of these lots; null: every lot. */
  lotIds: integer('lot_ids').array(),
  /** `whsec_` + base64 of 24 random bytes: the receiver needs it as it is to verify, so it is kept as it is. */
  secret: text('secret').notNull(),
  description: text('description'),
  /** Set when deliveries kept failing (WEBHOOK_DISABLE_AFTER dead letters in a row); a PATCH enabled:true clears it. */
  disabledAt: moment('disabled_at'),
  disabledReason: text('disabled_reason'),
  /** Dead-lettered deliveries since the last success. */
  failuresInARow: integer('failures_in_a_row').notNull().default(0),
  createdAt: moment('created_at').notNull().defaultNow(),
  updatedAt: moment('updated_at').notNull().defaultNow(),
});

/** The outbox: one row per event, written by the triggers in the transaction of the change it tells. */
export const webhookEvents = pgTable('webhook_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  type: text('type').notNull(),
  lotId: integer('lot_id'),
  data: jsonb('data').notNull(),
  createdAt: moment('created_at').notNull().defaultNow(),
});

/**
 * One event for one webhook: the message whose `webhook-id` (`msg_<id>`) stays the same across its attempts.
 * `enqueued_at` null: not yet handed to the queue (the sweep's work list).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    status: text('status').notNull().default('pending'),
    attempts: smallint('attempts').notNull().default(0),
    enqueuedAt: moment('enqueued_at'),
    lastAttemptAt: moment('last_attempt_at'),
    lastStatusCode: smallint('last_status_code'),
    lastLatencyMs: integer('last_latency_ms'),
    lastError: text('last_error'),
    nextRetryAt: moment('next_retry_at'),
    deliveredAt: moment('delivered_at'),
    /** Every attempt, oldest first: {attempt, at, status_code, latency_ms, error, next_retry_at}. */
    log: jsonb('log').notNull().default(sql`'[]'::jsonb`),
    createdAt: moment('created_at').notNull().defaultNow(),
  },
  (t) => [
    check('webhook_deliveries_status', sql`${t.status} IN ('pending', 'delivered', 'failed', 'skipped')`),
    // A webhook's log, newest first, a keyset page at a time.
    index('webhook_deliveries_webhook_id_idx').on(t.webhookId, t.id.desc()),
    // The rows not yet handed to the queue: what the dispatch after a write and the sweep look for.
    index('webhook_deliveries_unsent_idx').on(t.id).where(sql`${t.status} = 'pending' AND ${t.enqueuedAt} IS NULL`),
  ],
);

/** The state the last `lot.state_changed` told of each lot (or its first state), to tell only changes. */
export const webhookLotStates = pgTable('webhook_lot_states', {
  lotId: integer('lot_id')
    .primaryKey()
    .references(() => parkingLots.id, { onDelete: 'cascade' }),
  state: text('state').notNull(),
});
