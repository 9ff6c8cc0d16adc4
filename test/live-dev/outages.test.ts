// The live stream when Redis or PostgreSQL goes away for real: the stand-in in front of it refuses every
// connection, so the Worker under `wrangler dev` sees it down. Redis down, the stream works as before;
// PostgreSQL down, open streams stay open, a new one gets the last known state, and a lot never watched 503.
import { afterEach, describe, expect, it } from 'vitest';
import { api, setRedisFault } from '../browser/helpers/api.ts';
import { availability, book, count, freshIp, makeLot, openEventStream, openSocket, refusedWith, setPostgresFault, users } from './helpers/world.ts';

afterEach(async () => {
  await setRedisFault('none');
  await setPostgresFault('none');
  await expect.poll(async () => (await api('GET', '/health/redis')).status, { timeout: 30_000, interval: 200 }).toBe(200);
});

describe('Redis down', () => {
  it('streams open, and every booking reaches the WebSocket and the event stream', async () => {
    const lotId = await makeLot(4);
    const [a, b] = await users(2);
    await setRedisFault('refuse');
    const socket = await openSocket(lotId, freshIp(), { pingEveryMs: 1000 });
    const stream = await openEventStream(lotId, freshIp());
    await Promise.all([socket.until((e) => e.length >= 1), stream.until((e) => e.length >= 1)]);
    for (const u of [a!, b!]) expect((await book(u.token, lotId)).status).toBe(201);
    for (const w of [socket, stream]) {
      await w.until((e) => count(e, 'availability') >= 3);
      expect(availability(w).map((e) => e.available_spots)).toEqual([4, 3, 2]);
    }
    socket.close();
    stream.close();
  });
});

describe('PostgreSQL down', () => {
  it('open streams stay open; a new one gets the last known state; a lot never watched is a clear 503; changes flow again after', async () => {
    const lotId = await makeLot(3);
    const unwatched = await makeLot(3);
    const [user] = await users(1);
    expect((await book(user!.token, lotId)).status).toBe(201);
    const socket = await openSocket(lotId, freshIp(), { pingEveryMs: 1000 });
    const stream = await openEventStream(lotId, freshIp());
    const [known] = await socket.until((e) => e.length >= 1);
    await stream.until((e) => e.length >= 1);
    expect(known!.data.available_spots).toBe(2);

    await setPostgresFault('refuse');
    expect((await api('GET', `/parking-lots/${unwatched}`)).status).toBe(503); // it is down for the Worker
    const beats = stream.comments();
    const pongs = socket.pongs();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(stream.comments()).toBeGreaterThan(beats);
    expect(socket.pongs()).toBeGreaterThan(pongs);
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);

    const late = await openSocket(lotId, freshIp(), { pingEveryMs: 1000 });
    const [lastKnown] = await late.until((e) => e.length >= 1);
    expect(lastKnown!.data).toMatchObject({ lot_id: lotId, version: known!.data.version, available_spots: 2 });
    expect(await refusedWith(unwatched, freshIp())).toEqual({ status: 503, code: 'database_unavailable' });

    await setPostgresFault('none');
    const [other] = await users(1);
    expect((await book(other!.token, lotId)).status).toBe(201);
    for (const w of [socket, stream, late]) {
      await w.until((e) => e.some((x) => x.type === 'availability' && x.data.available_spots === 1));
      expect(availability(w).at(-1)).toMatchObject({ version: known!.data.version + 1, available_spots: 1 });
    }
    for (const w of [socket, stream, late]) w.close();
  });
});
