// lot.state_changed under racing writers, on real PostgreSQL: bookings and cancellations at once still tell each
// change of state exactly once, in version order, each event's previous state the state the one before it told,
// and the outbox agrees with what the receiver got.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql } from '../helpers/fixtures.ts';
import { subscribe, waitFor } from '../helpers/webhooks.ts';

type StateEvent = { previous_state: string; state: string; version: number; available_spots: number };

const chainOf = (events: StateEvent[]) => [...events].sort((a, b) => a.version - b.version).map((e) => `${e.previous_state}→${e.state}`);

describe('lot.state_changed with racing writers', () => {
  it('tells each change of state once, in order, when 14 bookings race for 10 spots and then all cancel at once', async () => {
    const admin = await makeAdmin();
    const users = await Promise.all(Array.from({ length: 14 }, () => makeUser()));
    const lot = await makeLot(admin, { capacity: 10 }); // almost_full at 2 free or fewer
    const { receiver, webhook } = await subscribe(admin, { events: ['lot.state_changed'], lot_ids: [lot.id] });

    const bookings = await Promise.all(users.map((u) => book(u, lot.id)));
    const won = bookings.filter((b) => b.status === 201);
    expect(won).toHaveLength(10); // nothing handed out twice
    expect(bookings.filter((b) => b.status === 409).every((b) => b.body.error.code === 'lot_full')).toBe(true);
    const cancels = await Promise.all(won.map((b) => call('POST', `/reservations/${b.body.id}/cancel`, { token: users[bookings.indexOf(b)]!.token })));
    expect(cancels.every((c) => c.status === 200)).toBe(true);

    const expected = ['available→almost_full', 'almost_full→full', 'full→almost_full', 'almost_full→available'];
    const outbox = (await sql`SELECT e.data FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.webhook_id = ${webhook.id}`).map((r) => r.data as StateEvent);
    expect(chainOf(outbox)).toEqual(expected);
    expect([...outbox].sort((a, b) => a.version - b.version).map((e) => e.available_spots)).toEqual([2, 0, 1, 3]);
    const log = await waitFor(receiver.log, (l) => new Set(l.map((r) => r.id)).size >= 4);
    const received = [...new Map(log.map((r) => [r.id, r.body!.data as unknown as StateEvent])).values()];
    expect(chainOf(received)).toEqual(expected);
    const free = await sql`SELECT count(*)::int AS n FROM spots WHERE lot_id = ${lot.id} AND status = 'available'`;
    expect(free[0]!.n).toBe(10); // nothing refused while free, nothing left taken
  });
});
