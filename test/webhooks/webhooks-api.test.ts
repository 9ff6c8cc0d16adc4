// The webhook routes: subscribe (secret shown once), list by pages, get, change, remove; who may (admins only);
// which URLs are refused (422, writing nothing); the signature a receiver verifies with `standardwebhooks`.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql } from '../helpers/fixtures.ts';
import { makeReceiver, subscribe, waitFor } from '../helpers/webhooks.ts';
import { checkTargetUrl } from '../../src/services/webhooks/target-url.ts';

// Every webhook a test makes is for lots of its own (or none): one for every lot would make other files' writes
// look for their events, a round trip their counts do not expect.
const NOWHERE = [2_147_483_647];
const webhookCount = async () => Number((await sql`SELECT count(*)::int AS n FROM webhooks`)[0]!.n);

describe('webhooks: the routes', () => {
  it('creates a webhook with a Standard Webhooks secret shown only once, and lists, gets, changes and removes it', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const receiver = makeReceiver();
    const created = await call('POST', '/webhooks', { token: admin.token, body: { url: receiver.url, events: ['reservation.created', 'reservation.created', 'lot.updated'], lot_ids: [lot.id], description: 'ops' } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body).toMatchObject({ url: receiver.url, events: ['reservation.created', 'lot.updated'], lot_ids: [lot.id], enabled: true, disabled_reason: null, failures_in_a_row: 0 });

    const got = await call('GET', `/webhooks/${created.body.id}`, { token: admin.token });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.text).not.toContain(created.body.secret.slice(6));

    const changed = await call('PATCH', `/webhooks/${created.body.id}`, { token: admin.token, body: { events: ['lot.deleted'], lot_ids: null, enabled: false } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ events: ['lot.deleted'], lot_ids: null, enabled: false, disabled_reason: 'disabled by an operator' });
    const back = await call('PATCH', `/webhooks/${created.body.id}`, { token: admin.token, body: { enabled: true, lot_ids: [lot.id] } });
    expect(back.body).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null, lot_ids: [lot.id] });

    expect((await call('DELETE', `/webhooks/${created.body.id}`, { token: admin.token })).status).toBe(204);
    expect((await call('GET', `/webhooks/${created.body.id}`, { token: admin.token })).status).toBe(404);
    expect((await call('DELETE', `/webhooks/${created.body.id}`, { token: admin.token })).status).toBe(404);
  });

  it('pages the list by keyset like every list, never repeating a webhook', async () => {
    const admin = await makeAdmin();
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await subscribe(admin, { events: ['lot.deleted'], lot_ids: NOWHERE })).webhook.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call('GET', `/webhooks?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.token });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((w: { id: number }) => w.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    const foreign = await call('GET', '/users?limit=1', { token: admin.token });
    expect((await call('GET', `/webhooks?cursor=${foreign.body.next_cursor}`, { token: admin.token })).status).toBe(422);
  });

  it('signs each delivery so that the standardwebhooks library verifies it, with the payload {type, timestamp, data}', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 20 });
    const { receiver } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] });
    const booked = await book(user, lot.id);
    expect(booked.status).toBe(201);
    const [got] = await waitFor(receiver.log, (log) => log.length >= 1);
    expect(got!.verified).toBe(true);
    expect(got!.id).toMatch(/^msg_\d+$/);
    expect(Math.abs(got!.timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(got!.body).toEqual({ type: 'reservation.created', timestamp: expect.any(String), data: booked.body });
  });
});

describe('webhooks: who may', () => {
  it('answers 401 without a token and 403 to a user, writing nothing', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const { webhook } = await subscribe(admin, { events: ['lot.deleted'], lot_ids: NOWHERE });
    const before = await webhookCount();
    const body = { url: makeReceiver().url, events: ['lot.deleted'] };
    expect((await call('POST', '/webhooks', { body })).status).toBe(401);
    for (const [method, path, withBody] of [
      ['POST', '/webhooks', true], ['GET', '/webhooks', false], ['GET', `/webhooks/${webhook.id}`, false],
      ['PATCH', `/webhooks/${webhook.id}`, true], ['DELETE', `/webhooks/${webhook.id}`, false],
      ['GET', `/webhooks/${webhook.id}/deliveries`, false], ['POST', `/webhooks/${webhook.id}/deliveries/1/redeliver`, false],
    ] as const) {
      const res = await call(method, path, { token: user.token, ...(withBody ? { body: method === 'PATCH' ? { enabled: false } : body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect(await webhookCount()).toBe(before);
    expect((await call('GET', `/webhooks/${webhook.id}`, { token: admin.token })).body.enabled).toBe(true);
  });
});

describe('webhooks: refused URLs', () => {
  const bad = [
    'not a url', 'ftp://example.com/x', 'http://10.1.2.3/x', 'http://192.168.0.10/', 'http://172.20.0.1/', 'http://169.254.169.254/latest/meta-data',
    'https://[fe80::1]/', 'https://[fd00::1]/', 'https://[::ffff:10.0.0.1]/', 'http://100.64.0.1/', 'https://user:pw@example.com/', 'https://printer.local/',
    'https://intranet/', 'http://0.0.0.0/',
  ];
  it.each(bad)('refuses %s with 422 naming the field, writing nothing', async (url) => {
    const admin = await makeAdmin();
    const before = await webhookCount();
    const res = await call('POST', '/webhooks', { token: admin.token, body: { url, events: ['lot.deleted'] } });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'url' })]);
    expect(await webhookCount()).toBe(before);
  });

  it('refuses a bad URL in a change too, and leaves the webhook as it was', async () => {
    const admin = await makeAdmin();
    const { webhook, receiver } = await subscribe(admin, { events: ['lot.deleted'], lot_ids: NOWHERE });
    const res = await call('PATCH', `/webhooks/${webhook.id}`, { token: admin.token, body: { url: 'http://10.0.0.1/', events: ['lot.updated'] } });
    expect(res.status).toBe(422);
    expect((await call('GET', `/webhooks/${webhook.id}`, { token: admin.token })).body).toMatchObject({ url: receiver.url, events: ['lot.deleted'] });
  });

  it('refuses bad bodies: no events, an unknown event, unknown fields', async () => {
    const admin = await makeAdmin();
    const url = makeReceiver().url;
    for (const body of [{ url, events: [] }, { url, events: ['lot.exploded'] }, { url, events: ['lot.deleted'], secret: 'mine' }, { events: ['lot.deleted'] }]) {
      expect((await call('POST', '/webhooks', { token: admin.token, body })).status).toBe(422);
    }
  });

  it('in production allows only https to public hosts: loopback and plain http are refused too', async () => {
    const production = { ...testEnv, ENVIRONMENT: 'production' };
    const admin = await makeAdmin();
    for (const url of ['http://127.0.0.1:9/x', 'https://127.0.0.1/x', 'https://localhost/x', 'https://[::1]/', 'http://example.com/']) {
      const res = await call('POST', '/webhooks', { token: admin.token, body: { url, events: ['lot.deleted'] }, env: production });
      expect(res.status, url).toBe(422);
    }
  });
});

describe('webhooks: the OpenAPI document', () => {
  it('documents every event ParkEdge sends under `webhooks`, with its signature headers and payload', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.webhooks).sort()).toEqual([
      'lot.deleted', 'lot.state_changed', 'lot.updated', 'reservation.cancelled', 'reservation.completed', 'reservation.created', 'reservation.parked', 'waitlist.offered',
    ]);
    const created = doc.webhooks['reservation.created'].post;
    expect(created.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(['header:webhook-id', 'header:webhook-signature', 'header:webhook-timestamp']);
    expect(JSON.stringify(created.requestBody)).toContain('Reservation');
    expect(doc.paths['/webhooks/{id}/deliveries/{delivery_id}/redeliver'].post.responses['202']).toBeDefined();
  });
});

describe('webhooks: the production URL policy', () => {
  const resolving = (addresses: string[] | undefined) => async () => addresses;
  it('resolves a host name and refuses it when any address is not public', async () => {
    await expect(checkTargetUrl('https://hooks.example.com/x', 'production', resolving(['93.184.216.34', '2606:2800:220:1::1']))).resolves.toBe('https://hooks.example.com/x');
    for (const addresses of [['93.184.216.34', '10.0.0.7'], ['127.0.0.1'], ['169.254.169.254'], ['fd12::1'], ['::ffff:192.168.1.1'], undefined, []]) {
      await expect(checkTargetUrl('https://hooks.example.com/x', 'production', resolving(addresses)), String(addresses)).rejects.toMatchObject({ code: 'validation_failed' });
    }
    await expect(checkTargetUrl('https://hooks.example.com/x', 'production', async () => { throw new Error('DNS down'); })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
