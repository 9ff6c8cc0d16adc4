// Webhooks under `wrangler dev`, with wrangler.toml's own queues (producer, consumer with 5 retries, dead-letter
// queue) as Miniflare runs them there, and a receiver in this process that verifies every delivery with the
// `standardwebhooks` library. WEBHOOK_RETRY_BASE_SECONDS is 1 here (global-setup.ts): retries after 1, 2, 4, 8, 16 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type Received, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { api, bearerToken, newUser, seededAdmin, unique } from './helpers/api.ts';

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());

async function hook(admin: string, lotId: number, failFirst: number) {
  const name = unique('b');
  const url = `${receiver.url}/hooks/${name}`;
  const res = await api('POST', '/webhooks', { token: admin, body: { url, events: ['reservation.created'], lot_ids: [lotId] } });
  expect(res.status).toBe(201);
  await fetch(`${receiver.url}/__config/${name}`, { method: 'PUT', body: JSON.stringify({ secret: res.body.secret, fail_first: failFirst }) });
  const log = async () => (await (await fetch(`${receiver.url}/__log/${name}`)).json()) as Received[];
  return { id: res.body.id as number, log };
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let v = await read(); ; v = await read()) {
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v).slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('webhooks under wrangler dev', () => {
  it('delivers signed events, retries a failing receiver with growing delays, and dead-letters one that never recovers', { timeout: 90_000 }, async () => {
    const admin = await bearerToken(seededAdmin);
    const user = await newUser();
    const lot = await api('POST', '/parking-lots', { token: admin, body: { name: unique('Hook lot '), address: '1 Hook Road', pin_code: '560001', price_per_hour_cents: 400, capacity: 20 } });
    expect(lot.status).toBe(201);
    const ok = await hook(admin, lot.body.id, 0);
    const flaky = await hook(admin, lot.body.id, 3);
    const dead = await hook(admin, lot.body.id, -1);

    const booked = await api('POST', '/reservations', { token: user.token, body: { lot_id: lot.body.id, vehicle_plate: unique('W').slice(-12).toUpperCase() } });
    expect(booked.status).toBe(201);

    const [first] = await until(ok.log, (l) => l.length > 0, 10_000);
    expect(first).toMatchObject({ verified: true, answered: 204, body: { type: 'reservation.created', data: booked.body } });

    const flakyLog = await until(flaky.log, (l) => l.some((r) => r.answered === 204), 30_000);
    expect(flakyLog.map((r) => r.answered)).toEqual([500, 500, 500, 204]);
    const gaps = flakyLog.slice(1).map((r, i) => (r.at - flakyLog[i]!.at) / 1000);
    console.log(JSON.stringify({ wrangler_dev_retry_gaps_s: gaps }));
    expect(gaps[0]).toBeGreaterThanOrEqual(0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(1.9);
    expect(gaps[2]).toBeGreaterThanOrEqual(3.9);

    // 6 attempts (max_retries = 5), then the dead-letter queue's consumer records the failure.
    const failed = await until(async () => (await api('GET', `/webhooks/${dead.id}/deliveries`, { token: admin })).body.data, (d) => d[0]?.status === 'failed', 60_000);
    expect(failed[0]).toMatchObject({ status: 'failed', attempts: 6, last_status_code: 500, next_retry_at: null });
    expect((await dead.log()).map((r) => r.answered)).toEqual([500, 500, 500, 500, 500, 500]);
    expect((await api('GET', `/webhooks/${dead.id}`, { token: admin })).body.failures_in_a_row).toBe(1);
  });
});
