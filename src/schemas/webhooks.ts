// Webhooks: what an operator subscribes, what they see of it, the delivery log, and what a receiver gets (the
// body of each signed POST, Standard Webhooks style: {type, timestamp, data}).
import { z } from 'zod';
import { Count, DbId, Text, Timestamp } from './fields.ts';
import { LotState } from './live.ts';
import { ReservationSchema } from './reservations.ts';
import { WaitlistEntrySchema } from './waitlist.ts';

export const WebhookEventType = z
  .enum([
    'reservation.created',
    'reservation.parked',
    'reservation.completed',
    'reservation.cancelled',
    'lot.state_changed',
    'lot.updated',
    'lot.deleted',
    'waitlist.offered',
  ])
  .meta({ id: 'WebhookEventType', description: '`reservation.*`: `data` is the Reservation; `lot.state_changed`: `data` is a LotStateChange; `lot.updated`: the lot\'s fields; `lot.deleted`: `{id, name, deleted_at}`; `waitlist.offered`: the WaitlistEntry offered a held spot.' });
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** A target URL as typed; services/webhooks/target-url.ts decides whether it may be called. */
export const WebhookUrl = z.string().trim().min(1).max(2048).meta({ example: 'https://example.com/parkedge-hooks' });

const Events = z.array(WebhookEventType).min(1).max(8).meta({ description: 'the events to send; each at most once' });
const LotIds = z.array(DbId).min(1).max(1000).meta({ description: 'only events of these lots (reservations and lots); omitted or null: every lot' });
const Description = Text.trim().max(200);

export const CreateWebhookBody = z
  .strictObject({ url: WebhookUrl, events: Events, lot_ids: LotIds.nullable().optional(), description: Description.optional() })
  .meta({ id: 'CreateWebhookRequest' });
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const UpdateWebhookBody = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: Events.optional(),
    lot_ids: LotIds.nullable().optional(),
    description: Description.nullable().optional(),
    enabled: z.boolean().optional().meta({ description: '`true` turns a disabled webhook back on (and clears `disabled_reason`); `false` stops its deliveries' }),
  })
  .meta({ id: 'UpdateWebhookRequest' });
export type UpdateWebhookBody = z.infer<typeof UpdateWebhookBody>;

export const WebhookSchema = z
  .object({
    id: DbId,
    url: z.string(),
    events: z.array(WebhookEventType),
    lot_ids: z.array(DbId).nullable(),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_at: Timestamp.nullable(),
    disabled_reason: z.string().nullable().meta({ description: 'why the webhook was turned off: by the operator, or after its deliveries kept failing (with the last error)' }),
    failures_in_a_row: Count.meta({ description: 'deliveries that failed every attempt since the last success' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof WebhookSchema>;

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().meta({ description: 'The signing secret, `whsec_` + base64: shown this once. Verify deliveries with it (Standard Webhooks).', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).meta({ id: 'CreatedWebhook' });
export type CreatedWebhook = z.infer<typeof CreatedWebhookSchema>;

export const DeliveryStatus = z.enum(['pending', 'delivered', 'failed', 'skipped']).meta({
  description: '`pending`: on its way or waiting for a retry; `delivered`: a 2xx answer; `failed`: every attempt failed (it went to the dead-letter queue); `skipped`: the webhook was disabled or changed before it could be sent',
});

export const AttemptSchema = z
  .object({
    attempt: z.number().int().min(1),
    at: Timestamp,
    status_code: z.number().int().nullable().meta({ description: "the receiver's HTTP status; null when there was no answer" }),
    latency_ms: Count,
    error: z.string().nullable(),
    next_retry_at: Timestamp.nullable().meta({ description: 'when the queue tries again; null after a success or the last attempt' }),
  })
  .meta({ id: 'WebhookAttempt' });
export type Attempt = z.infer<typeof AttemptSchema>;

export const DeliverySchema = z
  .object({
    id: z.number().int().positive(),
    webhook_id: DbId,
    event_id: z.number().int().positive(),
    event_type: WebhookEventType,
    message_id: z.string().meta({ description: 'the `webhook-id` header: the same on every attempt and redelivery' }),
    status: DeliveryStatus,
    attempts: Count,
    last_status_code: z.number().int().nullable(),
    last_latency_ms: Count.nullable(),
    last_error: z.string().nullable(),
    next_retry_at: Timestamp.nullable(),
    delivered_at: Timestamp.nullable(),
    created_at: Timestamp.meta({ description: 'when the change committed' }),
    log: z.array(AttemptSchema).meta({ description: 'every attempt, oldest first (the last 50)' }),
  })
  .meta({ id: 'WebhookDelivery' });
export type Delivery = z.infer<typeof DeliverySchema>;

export const LotStateChangeSchema = z
  .object({ lot_id: DbId, state: LotState, previous_state: LotState, available_spots: Count, capacity: Count, version: Count, at: Timestamp })
  .meta({ id: 'LotStateChange', description: "`data` of `lot.state_changed`: the live stream's states and rule" });

export const LotUpdatedSchema = z
  .object({
    id: DbId,
    name: z.string(),
    address: z.string(),
    pin_code: z.string(),
    price_per_hour_cents: z.number().int(),
    capacity: Count,
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    updated_at: Timestamp,
  })
  .meta({ id: 'LotUpdated', description: '`data` of `lot.updated`: the lot\'s fields after the change' });

export const LotDeletedSchema = z.object({ id: DbId, name: z.string(), deleted_at: Timestamp }).meta({ id: 'LotDeleted' });

/** What `data` holds for each event (the OpenAPI document's `webhooks`, one entry per event). */
export const webhookData: Record<WebhookEventType, { summary: string; data: z.ZodType }> = {
  'reservation.created': { summary: 'A spot was booked', data: ReservationSchema },
  'reservation.parked': { summary: 'A vehicle parked on its reserved spot', data: ReservationSchema },
  'reservation.completed': { summary: 'A stay ended and was priced', data: ReservationSchema },
  'reservation.cancelled': { summary: 'A reservation was cancelled', data: ReservationSchema },
  'lot.state_changed': { summary: 'A lot became available, almost full or full', data: LotStateChangeSchema },
  'lot.updated': { summary: "An operator changed a lot's fields", data: LotUpdatedSchema },
  'lot.deleted': { summary: 'A lot was deleted', data: LotDeletedSchema },
  'waitlist.offered': { summary: 'A freed spot is held for the head of a waitlist until its offer_expires_at', data: WaitlistEntrySchema },
};

/** The JSON body of every delivery. */
export const webhookPayloadOf = (type: WebhookEventType) =>
  z.object({ type: z.literal(type), timestamp: Timestamp.meta({ description: 'when the change committed' }), data: webhookData[type].data });

/** The body of one queue message: a delivery to attempt. */
export interface DeliveryMessage {
  delivery_id: number;
}
