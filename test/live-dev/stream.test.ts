// GET /parking-lots/:id/live with real clients (Node's WebSocket, an SSE client over fetch) against `wrangler
// dev`, whose live limits test/browser/global-setup.ts sets small: 60 watchers a lot, 10 per IP, a 20 s
// lifetime, 4 s idle, a heartbeat every second. Each watcher that means to stay sends "ping" every second.
import { describe, expect, it } from 'vitest';
import { api } from '../browser/helpers/api.ts';
import { availability, book, count, deleteLot, freshIp, inDatabase, makeLot, openEventStream, openSocket, refusedWith, users, type Watcher } from './helpers/world.ts';

const PING_MS = 1000;

/** Versions that follow on one by one from the first event's, and the free spots they carried. */
function expectEveryChange(w: Watcher, first: number, free: number[]) {
  const seen = availability(w);
  expect(seen.map((e) => e.version)).toEqual(free.map((_, i) => first + i));
  expect(seen.map((e) => e.available_spots)).toEqual(free);
}

describe('a lot watched by 50 clients', () => {
  it('all see every change of a 40-way booking race, in version order, ending at 0 free; nothing is handed out twice or refused while free', async () => {
    const lotId = await makeLot(10);
    const bookers = await users(40);
    const watchers: Watcher[] = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? openSocket(lotId, freshIp(), { pingEveryMs: PING_MS }) : openEventStream(lotId, freshIp()))),
    );
    await Promise.all(watchers.map((w) => w.until((e) => e.length >= 1)));
    const first = availability(watchers[0]!)[0]!;
    expect(first.available_spots).toBe(10);
    for (const w of watchers) expect(availability(w)[0]).toMatchObject({ version: first.version, available_spots: 10 });

    const answers = await Promise.all(bookers.map((u) => book(u.token, lotId)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => a.body.error?.code)).toEqual(Array(30).fill('lot_full'));
    expect(await inDatabase(lotId)).toEqual({ reservations: 10, distinctSpots: 10, free: 0, version: first.version + 10 });

    const free = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
    for (const w of watchers) {
      await w.until((e) => count(e, 'availability') >= 11 && count(e, 'state') >= 2);
      expectEveryChange(w, first.version, free);
      expect(w.events.filter((e) => e.type === 'state').map((e) => e.data.state)).toEqual(['almost_full', 'full']);
    }
    for (const w of watchers) w.close();
  });
});

describe('reconnecting and the end of a lot', () => {
  it('an event stream that reconnects with Last-Event-ID gets what it missed, and not the current state again', async () => {
    const lotId = await makeLot(5);
    const [user1, user2, user3] = await users(3);
    const ip = freshIp();
    const before = await openEventStream(lotId, ip);
    const id = (await before.until((e) => e.length >= 1))[0]!.id;
    expect(id).toMatch(/^\d+$/);
    before.close();
    for (const u of [user1!, user2!, user3!]) expect((await book(u.token, lotId)).status).toBe(201);

    const after = await openEventStream(lotId, ip, id);
    await after.until((e) => count(e, 'availability') >= 3);
    expectEveryChange(after, Number(id) + 1, [4, 3, 2]);
    expect(after.events.map((e) => e.id).filter(Boolean)).toEqual([1, 2, 3].map((n) => String(Number(id) + n)));
    after.close();
  });

  it("the lot's deletion closes every stream, and no event goes back in time on the way", async () => {
    const lotId = await makeLot(2);
    const socket = await openSocket(lotId, freshIp(), { pingEveryMs: PING_MS });
    const stream = await openEventStream(lotId, freshIp());
    await Promise.all([socket.until((e) => e.length >= 1), stream.until((e) => e.length >= 1)]);
    const [user] = await users(1);
    const booked = await book(user!.token, lotId);
    expect(booked.status).toBe(201);
    expect((await api('POST', `/reservations/${booked.body.id}/cancel`, { token: user!.token })).status).toBe(200);
    await Promise.all([socket.until((e) => e.length >= 3), stream.until((e) => e.length >= 3)]);

    expect(await deleteLot(lotId)).toBe(204);
    expect(await socket.closed).toBe(4404);
    expect(await stream.closed).toBe('ended');
    expect(stream.events.at(-1)).toMatchObject({ type: 'closed', data: { reason: 'deleted' } });
    // The state they started with, the booking, the cancellation, then the end: no event of a "lot" at
    // version 0 with no spots, which would take a watcher back in time.
    const first = availability(socket)[0]!.version;
    for (const w of [socket, stream]) expectEveryChange(w, first, [2, 1, 2]);
    expect(socket.events.map((e) => e.type)).toEqual(['availability', 'availability', 'availability']);
    expect(stream.events.map((e) => e.type)).toEqual(['availability', 'availability', 'availability', 'closed']);
    expect(await refusedWith(lotId, freshIp())).toEqual({ status: 404, code: 'not_found' });
  });
});

describe('the limits', () => {
  it('refuses an 11th stream of a lot from one IP (WebSockets and event streams together), not one from another IP', async () => {
    const lotId = await makeLot(2);
    const ip = freshIp();
    const ten: Watcher[] = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i < 5 ? openSocket(lotId, ip, { pingEveryMs: PING_MS }) : openEventStream(lotId, ip))),
    );
    expect(await refusedWith(lotId, ip)).toEqual({ status: 429, code: 'rate_limited' });
    await expect(openSocket(lotId, ip)).rejects.toThrow(/refused/);
    expect((await refusedWith(lotId, freshIp())).status).toBe(200);
    for (const w of ten) w.close();
  });

  it('refuses the 61st watcher of a lot (the limit set for the tests), from any IP', async () => {
    const lotId = await makeLot(2);
    const ips = Array.from({ length: 6 }, () => freshIp());
    const sixty: Watcher[] = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? openSocket(lotId, ips[i % 6]!, { pingEveryMs: PING_MS }) : openEventStream(lotId, ips[i % 6]!))));
    expect(await refusedWith(lotId, freshIp())).toEqual({ status: 429, code: 'rate_limited' });
    for (const w of sixty) w.close();
  });

  it('sends an event stream a heartbeat every second; closes a silent WebSocket after 4 s, one that pings only at its 20 s lifetime', async () => {
    const silentLot = await makeLot(2); // a lot with one silent watcher and no other
    const silent = await openSocket(silentLot, freshIp());
    const lotId = await makeLot(2);
    const pinging = await openSocket(lotId, freshIp(), { pingEveryMs: PING_MS });
    const stream = await openEventStream(lotId, freshIp());
    const opened = performance.now();

    const silentFor = (await silent.closing) - opened;
    expect(silentFor).toBeGreaterThanOrEqual(3500);
    expect(silentFor).toBeLessThan(8000);
    expect(stream.comments()).toBeGreaterThanOrEqual(2);
    expect(pinging.pongs()).toBeGreaterThanOrEqual(2);
    expect(pinging.ws.readyState).toBe(WebSocket.OPEN);
    expect(await silent.closed).toBe(4001);

    const lived = (await pinging.closing) - opened;
    expect(lived).toBeGreaterThanOrEqual(19_000);
    expect(lived).toBeLessThan(26_000);
    expect(await stream.closed).toBe('ended');
    expect(performance.now() - opened).toBeLessThan(26_000);
    expect(await pinging.closed).toBe(4000);
    expect(stream.events.at(-1)).toMatchObject({ type: 'closed', data: { reason: 'lifetime over: reconnect' } });
    expect(stream.comments()).toBeGreaterThanOrEqual(15);
  }, 90_000);
});
