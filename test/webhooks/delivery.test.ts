// Webhook deliveries end to end, on the real queue (Miniflare's, as under wrangler dev) and a loopback receiver
// that verifies every signature with the `standardwebhooks` library: every event arrives; a receiver that fails
// 3 times gets the message again after growing delays and then has it; one that never recovers ends in the
// dead-letter queue, the log and, after WEBHOOK_DISABLE_AFTER (2 here) such deliveries, a disabled webhook.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql, uniquePlate } from '../helpers/fixtures.ts';
import { subscribe, waitFor } from '../helpers/webhooks.ts';
import type { Received } from '../helpers/webhook-receiver.ts';

const types = (log: Received[]) => log.map((r) => r.body?.type);
const deliveries = async (admin: { token: string }, webhookId: number) => (await call('GET', `/webhooks/${webhookId}/deliveries`, { token: admin.token })).body.data;
/** The statuses of a webhook's deliveries, straight from the table: polling the API would meet its rate limit. */
const statuses = async (webhookId: number) => (await sql`SELECT status FROM webhook_deliveries WHERE webhook_id = ${webhookId} ORDER BY id`).map((r) => r.status as string);

describe('webhook deliveries', () => {
  it('sends every event of a lot at least once, signed, with its data', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 3 });
    const other = await makeLot(admin, { capacity: 3 });
    const { receiver } = await subscribe(admin, {
      events: ['reservation.created', 'reservation.parked', 'reservation.completed', 'reservation.cancelled', 'lot.state_changed', 'lot.updated', 'lot.deleted'],
      lot_ids: [lot.id],
    });
    const first = (await book(user, lot.id)).body; // 3 → 2 free: almost_full (at most max(2, 0) free)
    await book(user, other.id); // another lot: not this webhook's
    expect((await call('POST', `/reservations/${first.id}/park`, { token: user.token })).status).toBe(200);
    const completed = await call('POST', `/reservations/${first.id}/release`, { token: user.token, body: { payment_method: 'card' } });
    expect(completed.status).toBe(200); // 3 free: available again
    const second = (await book(user, lot.id)).body;
    const cancelled = await call('POST', `/reservations/${second.id}/cancel`, { token: user.token });
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { name: 'Renamed lot' } })).status).toBe(200);
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token })).status).toBe(204);

    const wanted = ['reservation.created', 'reservation.parked', 'reservation.completed', 'reservation.cancelled', 'lot.state_changed', 'lot.updated', 'lot.deleted'];
    const log = await waitFor(receiver.log, (l) => wanted.every((t) => types(l).includes(t)) && l.filter((r) => r.body?.type === 'lot.state_changed').length >= 4);
    expect(log.every((r) => r.verified && r.answered === 204)).toBe(true);
    const of = (type: string) => log.filter((r) => r.body?.type === type).map((r) => r.body!.data);
    expect(of('reservation.created').map((d) => d.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(of('reservation.completed')).toContainEqual(completed.body);
    expect(of('reservation.cancelled')).toContainEqual(cancelled.body);
    expect(log.every((r) => r.body!.data.lot_id === undefined || r.body!.data.lot_id === lot.id)).toBe(true);
    const states = of('lot.state_changed').sort((a, b) => Number(a.version) - Number(b.version)).map((d) => `${d.previous_state}→${d.state}`);
    expect(states).toEqual(['available→almost_full', 'almost_full→available', 'available→almost_full', 'almost_full→available']);
    expect(of('lot.updated')).toContainEqual(expect.objectContaining({ id: lot.id, name: 'Renamed lot' }));
    expect(of('lot.deleted')).toContainEqual(expect.objectContaining({ id: lot.id }));
  });

  it('tells the operator of an offer to the head of a waitlist, as GET /waitlist shows the entry', async () => {
    const admin = await makeAdmin();
    const [driver, waiter] = [await makeUser(), await makeUser()];
    const lot = await makeLot(admin, { capacity: 1 });
    const { receiver } = await subscribe(admin, { events: ['waitlist.offered'], lot_ids: [lot.id] });
    const booked = (await book(driver, lot.id)).body;
    const joined = await call('POST', `/parking-lots/${lot.id}/waitlist`, { token: waiter.token, body: { vehicle_plate: uniquePlate() } });
    expect(joined.status).toBe(201);
    expect((await call('POST', `/reservations/${booked.id}/cancel`, { token: driver.token })).status).toBe(200); // the spot is held for the waiter
    const log = await waitFor(receiver.log, (l) => l.length >= 1);
    const mine = (await call('GET', '/waitlist', { token: waiter.token })).body.data.find((e: { id: number }) => e.id === joined.body.id);
    expect(mine.status).toBe('offered');
    expect(log.map((r) => [r.verified, r.body?.type])).toEqual([[true, 'waitlist.offered']]);
    expect(log[0]!.body!.data).toEqual(mine);
  });

  it('tells a lot that fills up as full, from its first booking to its last', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 30 });
    const { receiver } = await subscribe(admin, { events: ['lot.state_changed'], lot_ids: [lot.id] });
    // 30 spots: almost_full at 3 free (max(2, 3)), full at none. Bookings one after another.
    for (let i = 0; i < 30; i += 1) expect((await book(user, lot.id)).status).toBe(201);
    const log = await waitFor(receiver.log, (l) => l.length >= 2);
    expect(log.map((r) => `${r.body!.data.previous_state}→${r.body!.data.state}@${r.body!.data.available_spots}`).sort()).toEqual(['almost_full→full@0', 'available→almost_full@3']);
  });

  it('retries a receiver that fails 3 times, with growing delays, and delivers on the 4th attempt with the same webhook-id', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 50 });
    const { receiver, webhook } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] }, 3);
    expect((await book(user, lot.id)).status).toBe(201);
    const log = await waitFor(receiver.log, (l) => l.some((r) => r.answered === 204), 25_000);
    expect(log.map((r) => r.answered)).toEqual([500, 500, 500, 204]);
    expect(new Set(log.map((r) => r.id)).size).toBe(1);
    expect(log.every((r) => r.verified)).toBe(true);
    const gaps = log.slice(1).map((r, i) => (r.at - log[i]!.at) / 1000);
    console.log(JSON.stringify({ webhook_retry_gaps_s: gaps }));
    // WEBHOOK_RETRY_BASE_SECONDS=1: 1, 2, 4 s (the queue may add up to its batch timeout to each).
    expect(gaps[0]).toBeGreaterThanOrEqual(0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(1.9);
    expect(gaps[2]).toBeGreaterThanOrEqual(3.9);
    expect(gaps[2]!).toBeGreaterThan(gaps[0]!);

    await waitFor(() => statuses(webhook.id), (s) => s[0] === 'delivered');
    const [delivery] = await deliveries(admin, webhook.id);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 204, last_error: null, next_retry_at: null, message_id: log[0]!.id, event_type: 'reservation.created' });
    expect(delivery.log.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500, 204]);
    expect(delivery.log.slice(0, 3).every((a: { next_retry_at: string | null; error: string }) => a.next_retry_at !== null && a.error.startsWith('HTTP 500'))).toBe(true);
    expect((await call('GET', `/webhooks/${webhook.id}`, { token: admin.token })).body).toMatchObject({ enabled: true, failures_in_a_row: 0 });
  });

  it('moves a delivery that never succeeds to the dead-letter queue and the log, and disables the webhook after 2 such', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 50 });
    const { receiver, webhook } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] }, -1);
    expect((await book(user, lot.id)).status).toBe(201);
    expect((await book(user, lot.id)).status).toBe(201);
    await waitFor(() => statuses(webhook.id), (s) => s.length === 2 && s.every((x) => x === 'failed'), 40_000);
    const dead = await deliveries(admin, webhook.id);
    for (const d of dead) {
      expect(d).toMatchObject({ status: 'failed', attempts: 4, last_status_code: 500, next_retry_at: null });
      expect(d.log).toHaveLength(4);
      expect(d.log[3].next_retry_at).toBeNull();
    }
    expect((await receiver.log()).length).toBe(8);
    const after = (await call('GET', `/webhooks/${webhook.id}`, { token: admin.token })).body;
    expect(after).toMatchObject({ enabled: false, failures_in_a_row: 2 });
    expect(after.disabled_reason).toMatch(/2 deliveries in a row failed every attempt.*HTTP 500/);
    // Disabled: a new event is not even written for it.
    expect((await book(user, lot.id)).status).toBe(201);
    expect(await deliveries(admin, webhook.id)).toHaveLength(2);
    // Redelivery waits for the operator to turn it back on.
    const refused = await call('POST', `/webhooks/${webhook.id}/deliveries/${dead[0].id}/redeliver`, { token: admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('webhook_disabled');
  });

  it('redelivers a delivered message as the same webhook-id, and refuses while one is pending', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 50 });
    const { receiver, webhook } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] });
    await book(user, lot.id);
    await waitFor(() => statuses(webhook.id), (s) => s[0] === 'delivered');
    const [first] = await deliveries(admin, webhook.id);
    const again = await call('POST', `/webhooks/${webhook.id}/deliveries/${first.id}/redeliver`, { token: admin.token });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: first.id, status: 'pending' });
    const log = await waitFor(receiver.log, (l) => l.length >= 2);
    expect(log[1]!.id).toBe(log[0]!.id);
    expect((await call('POST', `/webhooks/${webhook.id}/deliveries/999999999/redeliver`, { token: admin.token })).status).toBe(404);
    await sql`UPDATE webhook_deliveries SET status = 'pending', enqueued_at = now() WHERE id = ${first.id}`;
    const pending = await call('POST', `/webhooks/${webhook.id}/deliveries/${first.id}/redeliver`, { token: admin.token });
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('delivery_pending');
  });

  it('writes no event for a refused change, nor for a webhook turned off', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 1 });
    const { webhook } = await subscribe(admin, { events: ['reservation.created', 'lot.deleted'], lot_ids: [lot.id] });
    expect((await book(user, lot.id)).status).toBe(201);
    expect((await book(user, lot.id)).status).toBe(409); // lot_full
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token })).status).toBe(409); // spots_in_use
    await call('PATCH', `/webhooks/${webhook.id}`, { token: admin.token, body: { enabled: false } });
    const rows = await sql`SELECT e.type FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.webhook_id = ${webhook.id}`;
    expect(rows.map((r) => r.type)).toEqual(['reservation.created']);
  });
});
