// A lot's waitlist as the API shows it: a driver's place in the queue of a full lot, and the offer of a freed
// spot held for them for a few minutes (WAITLIST_HOLD_SECONDS), to accept or to let lapse.
import { z } from 'zod';
import { Count, DbId, Plate, Timestamp, WaitlistStatus } from './fields.ts';

export const JoinWaitlistBody = z.strictObject({ vehicle_plate: Plate }).meta({ id: 'JoinWaitlistRequest' });

export const WaitlistEntrySchema = z
  .object({
    id: DbId,
    lot_id: DbId,
    user_id: DbId,
    vehicle_plate: z.string(),
    status: WaitlistStatus.meta({
      description: '`waiting` in the queue; `offered`: a spot is held until `offer_expires_at` (accept it); `accepted`: it became `reservation_id`; `lapsed`: not accepted in time, the spot went to the next',
    }),
    position: Count.min(1).nullable().meta({ description: 'while waiting, the place in the queue (1: next to be offered); null otherwise' }),
    joined_at: Timestamp,
    spot_number: Count.nullable().meta({ description: 'the held spot while offered, the booked one once accepted' }),
    offered_at: Timestamp.nullable(),
    offer_expires_at: Timestamp.nullable(),
    reservation_id: DbId.nullable().meta({ description: 'the reservation the accepted offer became' }),
  })
  .meta({ id: 'WaitlistEntry' });

export type WaitlistEntry = z.infer<typeof WaitlistEntrySchema>;

export const WaitlistOfferedEventSchema = z
  .object({ lot_id: DbId, waitlist_id: DbId, spot_number: Count, expires_at: Timestamp, version: Count, at: Timestamp })
  .meta({
    id: 'WaitlistOfferedEvent',
    description:
      "A freed spot is held for the waitlist entry `waitlist_id` until `expires_at`: its driver accepts with POST /waitlist/{id}/accept. Names no user or plate (the stream is public); the waiter knows their entry's id. SSE: `event: waitlist.offered`; WebSocket: `{\"type\": \"waitlist.offered\", ...}`. Not replayed on resume: GET /waitlist shows a running offer.",
  });

export type WaitlistOfferedEvent = z.infer<typeof WaitlistOfferedEventSchema>;
