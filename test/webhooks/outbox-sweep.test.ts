// No committed event is lost: the outbox row is written with the change, whatever made it, and the minute sweep
// (the `* * * * *` cron) enqueues what the request did not get to the queue: a change made outside the Worker, an
// enqueue whose queue send failed, a claim lost between the database and the queue. Claims never send a row twice.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import type { Env } from '../../src/env.ts';
import { stateOf } from '../../src/services/live/availability.ts';
import { enqueueUnsent } from '../../src/services/webhooks/outbox.ts';
import { makeDeps } from '../../src/deps.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql } from '../helpers/fixtures.ts';
import { subscribe, waitFor } from '../helpers/webhooks.ts';

async function sweep(): Promise<void> {
  const ctx = createExecutionContext();
  worker.scheduled(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

/** Makes the webhook's unsent rows look older than the sweep's 10 s grace, as if their request had died. */
const age = (webhookId: number) => sql`UPDATE webhook_deliveries SET created_at = created_at - interval '1 minute' WHERE webhook_id = ${webhookId}`;
const unsent = async (webhookId: number) => Number((await sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_id = ${webhookId} AND enqueued_at IS NULL`)[0]!.n);

describe('the outbox sweep', () => {
  it('delivers an event whose change was made outside the Worker (nobody enqueued it)', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const { receiver, webhook } = await subscribe(admin, { events: ['lot.updated'], lot_ids: [lot.id] });
    await sql`UPDATE parking_lots SET name = 'Renamed by hand' WHERE id = ${lot.id}`;
    expect(await unsent(webhook.id)).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await receiver.log()).toEqual([]);
    await age(webhook.id);
    await sweep();
    const [got] = await waitFor(receiver.log, (l) => l.length >= 1);
    expect(got).toMatchObject({ verified: true, body: { type: 'lot.updated', data: expect.objectContaining({ id: lot.id, name: 'Renamed by hand' }) } });
  });

  it('delivers an event whose queue send failed, and the request that made it still answered', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 10 });
    const { receiver, webhook } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] });
    const refusing = { send: () => Promise.reject(new Error('queue unavailable')), sendBatch: () => Promise.reject(new Error('queue unavailable')) };
    const brokenQueue = { ...testEnv, WEBHOOK_QUEUE: refusing } as unknown as Env;
    const booked = await book(user, lot.id, undefined, {}, brokenQueue);
    expect(booked.status).toBe(201);
    expect(await unsent(webhook.id)).toBe(1); // handed back by the failed send
    await age(webhook.id);
    await sweep();
    const [got] = await waitFor(receiver.log, (l) => l.length >= 1);
    expect(got!.body).toEqual({ type: 'reservation.created', timestamp: expect.any(String), data: booked.body });
  });

  it('sends again a claim lost between the database and the queue', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 10 });
    const { receiver, webhook } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] });
    // The request died after its claim: enqueued, never sent, never attempted.
    const vanishing = { ...testEnv, WEBHOOK_QUEUE: { send: async () => {}, sendBatch: async () => {} } } as unknown as Env;
    expect((await book(user, lot.id, undefined, {}, vanishing)).status).toBe(201);
    expect(await unsent(webhook.id)).toBe(0);
    await sql`UPDATE webhook_deliveries SET enqueued_at = now() - interval '10 minutes', created_at = created_at - interval '10 minutes' WHERE webhook_id = ${webhook.id}`;
    await sweep();
    const log = await waitFor(receiver.log, (l) => l.length >= 1);
    expect(log[0]!.verified).toBe(true);
  });

  it('never sends one row twice, however many claim at once', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin, { capacity: 10 });
    const { receiver, webhook } = await subscribe(admin, { events: ['lot.updated'], lot_ids: [lot.id] });
    for (let i = 0; i < 20; i += 1) await sql`UPDATE parking_lots SET name = ${`Name ${i}`} WHERE id = ${lot.id}`;
    await age(webhook.id);
    const deps = makeDeps(testEnv);
    const sent = await Promise.all(Array.from({ length: 6 }, () => enqueueUnsent(makeDeps(testEnv).db, deps.webhookQueue, { minAgeSeconds: 30, lostClaims: false })));
    expect(sent.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(20); // other tests' aged rows may come along
    const log = await waitFor(receiver.log, (l) => l.length >= 20);
    await new Promise((r) => setTimeout(r, 1500));
    const ids = (await receiver.log()).map((r) => r.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(log.every((r) => r.verified)).toBe(true);
  });
});

describe("lot.state_changed's rule", () => {
  it('is the live stream\'s rule (stateOf), in the SQL the trigger uses', async () => {
    const cases: [number, number][] = [];
    for (const capacity of [1, 2, 3, 9, 10, 19, 20, 21, 29, 30, 31, 99, 100, 5000]) {
      for (const available of new Set([0, 1, 2, 3, Math.floor(capacity / 10), Math.floor(capacity / 10) + 1, capacity - 1, capacity])) {
        if (available >= 0 && available <= capacity) cases.push([available, capacity]);
      }
    }
    const rows = await sql`SELECT a, c, webhook_lot_state(a, c) AS state FROM unnest(${cases.map((x) => x[0])}::int[], ${cases.map((x) => x[1])}::int[]) AS t(a, c)`;
    expect(rows.map((r) => r.state)).toEqual(cases.map(([a, c]) => stateOf(a, c)));
  });
});

describe('webhook routes on a lot change', () => {
  it('tells lot.updated once per change made through the API', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const { receiver } = await subscribe(admin, { events: ['lot.updated'], lot_ids: [lot.id] });
    expect((await call('PATCH', `/parking-lots/${lot.id}`, { token: admin.token, body: { price_per_hour_cents: 700 } })).status).toBe(200);
    const [got] = await waitFor(receiver.log, (l) => l.length >= 1);
    expect(got!.body!.data).toMatchObject({ id: lot.id, price_per_hour_cents: 700 });
  });
});
