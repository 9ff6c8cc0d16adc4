// GET /parking-lots/:id/live: what the stream sends. Every message carries the lot's availability version, a
// number the database raises in the same statement as every change of the lot's spots, so a client can tell
// order and never goes back in time.
import { z } from 'zod';
import { WaitlistOfferedEventSchema } from './waitlist.ts';
import { Count, DbId, Timestamp } from './fields.ts';

export const LotState = z.enum(['available', 'almost_full', 'full']).meta({
  description: '`full`: no spot free; `almost_full`: 1 to max(2, ⌊capacity / 10⌋) spots free; `available`: more.',
});
export type LotState = z.infer<typeof LotState>;

export const AvailabilityEventSchema = z
  .object({
    lot_id: DbId,
    available_spots: Count,
    capacity: Count,
    state: LotState,
    version: Count.meta({ description: 'only grows; the SSE event id' }),
    at: Timestamp.meta({ description: 'when the change was committed (or, for the first event, last known)' }),
  })
  .meta({ id: 'AvailabilityEvent', description: 'Sent first on connecting (the current state), then after every change. SSE: `event: availability`; WebSocket: `{"type": "availability", ...}`.' });

export type AvailabilityEvent = z.infer<typeof AvailabilityEventSchema>;

export const StateEventSchema = z
  .object({ lot_id: DbId, state: LotState, previous_state: LotState, version: Count, at: Timestamp })
  .meta({ id: 'LotStateEvent', description: 'Sent after the availability event whose change moved the lot to another state. SSE: `event: state`; WebSocket: `{"type": "state", ...}`.' });

export type StateEvent = z.infer<typeof StateEventSchema>;

export const ClosedEventSchema = z
  .object({ reason: z.enum(['deleted', 'lifetime over: reconnect']) })
  .meta({ id: 'LiveClosedEvent', description: 'SSE: `event: closed`, the last event before the stream ends: the lot was deleted (a reconnection gets 404), or the stream lived its lifetime (reconnect; `Last-Event-ID` resumes). A WebSocket is closed instead, with code 4404 or 4000.' });

export type ClosedEvent = z.infer<typeof ClosedEventSchema>;

export const LiveSocketMessageSchema = z
  .discriminatedUnion('type', [
    AvailabilityEventSchema.extend({ type: z.literal('availability') }),
    StateEventSchema.extend({ type: z.literal('state') }),
    WaitlistOfferedEventSchema.extend({ type: z.literal('waitlist.offered') }),
  ])
  .meta({ id: 'LiveSocketMessage', description: 'A WebSocket text message: an AvailabilityEvent, a LotStateEvent or a WaitlistOfferedEvent, with its `type`. The text `pong` answers a `ping`.' });

export type LiveSocketMessage = z.infer<typeof LiveSocketMessageSchema>;
