// The lot's Durable Object through the Worker, inside workerd: the first event is the current state, changes
// fan out in version order, an old or repeated notification is dropped, a skipped version is read again from
// Postgres, SSE resumes with Last-Event-ID, deletion closes the streams, and the limits hold.
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { call, testEnv } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, sql } from '../helpers/fixtures.ts';

const open = (path: string, headers: Record<string, string>) =>
  worker.fetch(new Request(`http://parkedge.test${path}`, { headers: { 'cf-connecting-ip': '203.0.113.9', ...headers } }), testEnv, createExecutionContext());

async function socket(lotId: number) {
  const res = await open(`/parking-lots/${lotId}/live`, { upgrade: 'websocket' });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  const messages: any[] = [];
  const waiters: (() => void)[] = [];
  ws.accept();
  ws.addEventListener('message', (e) => {
    messages.push(JSON.parse(String(e.data)));
    waiters.splice(0).forEach((w) => w());
  });
  const until = async (n: number) => {
    while (messages.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return messages;
  };
  return { ws, messages, until };
}

const stub = (lotId: number) => testEnv.LOT_LIVE.getByName(String(lotId));

describe('the lot object', () => {
  it('starts with the current state, then every committed change once, in version order', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin, { capacity: 10 });
    const a = await socket(lot.id);
    const [first] = await a.until(1);
    expect(first).toMatchObject({ type: 'availability', lot_id: lot.id, available_spots: 10, capacity: 10, state: 'available' });
    const v = first.version;
    const r1 = (await book(user, lot.id)).body;
    await book(user, lot.id);
    await call('POST', `/reservations/${r1.id}/cancel`, { token: user.token });
    await stub(lot.id).notify({ lot_id: lot.id, version: v + 1, available_spots: 9, capacity: 10 }); // old: dropped
    const got = await a.until(4);
    expect(got.slice(1).map((m) => [m.version, m.available_spots])).toEqual([
      [v + 1, 9],
      [v + 2, 8],
      [v + 3, 9],
    ]);
  });

  it('tells every watcher of a 40-way booking race every change, in version order, down to 0 free', async () => {
    const admin = await makeAdmin();
    const users = await Promise.all(Array.from({ length: 4 }, () => makeUser()));
    const lot = await makeLot(admin, { capacity: 10 });
    const watchers = await Promise.all(Array.from({ length: 5 }, () => socket(lot.id)));
    const [first] = await watchers[0]!.until(1);
    await Promise.all(Array.from({ length: 40 }, (_, i) => book(users[i % 4]!, lot.id)));
    for (const w of watchers) {
      const got = await w.until(1 + 10 + 2); // the current state, ten bookings, the two state changes
      const availability = got.filter((m) => m.type === 'availability');
      expect(availability.map((m) => m.version)).toEqual(Array.from({ length: 11 }, (_, i) => first.version + i));
      expect(availability.map((m) => m.available_spots)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      expect(got.filter((m) => m.type === 'state').map((m) => m.state)).toEqual(['almost_full', 'full']);
    }
  });

  it('waits for a skipped version, then reads the lot again when it never comes', async () => {
    const lot = await makeLot(await makeAdmin(), { capacity: 4 });
    const a = await socket(lot.id);
    const [first] = await a.until(1);
    // Versions +1 and +2 were lost on their way; +3 arrives, and the database has moved on to +5 since.
    await sql`UPDATE parking_lots SET availability_version = ${first.version + 5} WHERE id = ${lot.id}`;
    await stub(lot.id).notify({ lot_id: lot.id, version: first.version + 3, available_spots: 1, capacity: 4 });
    const availability = (await a.until(5)).filter((m) => m.type === 'availability'); // and a state change each way
    expect(availability.slice(1).map((m) => [m.version, m.available_spots])).toEqual([
      [first.version + 3, 1],
      [first.version + 5, 4], // what the database says
    ]);
  });

  it('closes the streams when the lot is deleted', async () => {
    const admin = await makeAdmin();
    const lot = await makeLot(admin);
    const a = await socket(lot.id);
    await a.until(1);
    const closed = new Promise<number>((resolve) => a.ws.addEventListener('close', (e) => resolve(e.code)));
    expect((await call('DELETE', `/parking-lots/${lot.id}`, { token: admin.token })).status).toBe(204);
    expect(await closed).toBe(4404);
  });

  it('keeps a change told while it reads the lot for a new watcher: it never goes back to the older read', async () => {
    const lot = await makeLot(await makeAdmin(), { capacity: 4 });
    const v = (await sql`SELECT availability_version::int AS v FROM parking_lots WHERE id = ${lot.id}`)[0]!.v as number;
    const firstEvent = async (res: Response) => {
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('\n\n', text.indexOf('data:'))) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as { version: number };
    };
    const watch = () => stub(lot.id).fetch(new Request(`http://parkedge.test/?lot=${lot.id}`, { headers: { accept: 'text/event-stream', 'cf-connecting-ip': '203.0.113.79' } }));
    // The object knows nothing yet: the watcher's request reads the lot (version v), and the change v + 1 is told while that read is out.
    const [early] = await Promise.all([watch(), stub(lot.id).notify({ lot_id: lot.id, version: v + 1, available_spots: 3, capacity: 4 })]);
    expect((await firstEvent(early)).version).toBe(v + 1);
    expect((await firstEvent(await watch())).version).toBe(v + 1);
  });

  it('answers SSE with the current state, and resumes from Last-Event-ID', async () => {
    const lot = await makeLot(await makeAdmin(), { capacity: 3 });
    const user = await makeUser();
    for (let i = 0; i < 3; i++) await book(user, lot.id);
    const v = (await sql`SELECT availability_version::int AS v FROM parking_lots WHERE id = ${lot.id}`)[0]!.v as number;
    const res = await open(`/parking-lots/${lot.id}/live`, { accept: 'text/event-stream', 'last-event-id': String(v - 2) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes(`id: ${v}`)) text += new TextDecoder().decode((await reader.read()).value);
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([v - 1, v]);
    await reader.cancel();
  });

  it('frees the place of an event stream as soon as its client goes away (not at the next heartbeat, 25 s on)', async () => {
    const lot = await makeLot(await makeAdmin());
    const sse = { accept: 'text/event-stream', 'cf-connecting-ip': '203.0.113.77' };
    const ten = await Promise.all(Array.from({ length: 10 }, () => open(`/parking-lots/${lot.id}/live`, sse)));
    expect(ten.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await open(`/parking-lots/${lot.id}/live`, sse)).status).toBe(429);
    for (const r of ten) await r.body!.cancel();
    const started = Date.now();
    await expect
      .poll(async () => {
        const again = await open(`/parking-lots/${lot.id}/live`, sse);
        await again.body?.cancel();
        return again.status;
      }, { timeout: 5000, interval: 100 })
      .toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('holds the per-IP limit when 15 streams from one IP open at once on a lot it has not read yet', async () => {
    const lot = await makeLot(await makeAdmin());
    const sse = { accept: 'text/event-stream', 'cf-connecting-ip': '203.0.113.78' };
    const all = await Promise.all(Array.from({ length: 15 }, () => open(`/parking-lots/${lot.id}/live`, sse)));
    expect(all.filter((r) => r.status === 200)).toHaveLength(10);
    expect(all.filter((r) => r.status === 429)).toHaveLength(5);
    for (const r of all) await r.body?.cancel();
  });

  it('refuses a lot that does not exist, and an 11th stream from one IP', async () => {
    expect((await open('/parking-lots/999999999/live', { upgrade: 'websocket' })).status).toBe(404);
    const lot = await makeLot(await makeAdmin());
    const sockets = await Promise.all(Array.from({ length: 10 }, () => socket(lot.id)));
    const refused = await open(`/parking-lots/${lot.id}/live`, { upgrade: 'websocket' });
    expect(refused.status).toBe(429);
    for (const s of sockets) s.ws.close();
  });

  it('answers HEAD with the stream\'s headers at once, opening no stream', async () => {
    const lot = await makeLot(await makeAdmin());
    const ip = '203.0.113.77';
    const head = () => worker.fetch(new Request(`http://parkedge.test/parking-lots/${lot.id}/live`, { method: 'HEAD', headers: { 'cf-connecting-ip': ip } }), testEnv, createExecutionContext());
    // More HEADs from one IP than it may hold streams: none of them is a watcher.
    for (let i = 0; i < 12; i++) {
      const res = await head();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(await res.text()).toBe('');
    }
    const stream = await worker.fetch(new Request(`http://parkedge.test/parking-lots/${lot.id}/live`, { headers: { 'cf-connecting-ip': ip, accept: 'text/event-stream' } }), testEnv, createExecutionContext());
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
    const missing = await worker.fetch(new Request('http://parkedge.test/parking-lots/999999999/live', { method: 'HEAD', headers: { 'cf-connecting-ip': ip } }), testEnv, createExecutionContext());
    expect(missing.status).toBe(404);
  });

  it('is described in /openapi.json: both transports, its refusals, and every event as a schema', async () => {
    const doc = (await call('GET', '/openapi.json')).body;
    const op = doc.paths['/parking-lots/{id}/live'].get;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['101', '200', '404', '429', '503']));
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
    for (const name of ['AvailabilityEvent', 'LotStateEvent', 'LiveClosedEvent', 'LiveSocketMessage', 'WaitlistOfferedEvent']) {
      expect(doc.components.schemas[name], name).toBeDefined();
      expect(op.description + op.responses['101'].description + op.responses['200'].description).toContain(name === 'AvailabilityEvent' ? 'AvailabilityEvent' : name);
    }
    expect(doc.components.schemas.LiveSocketMessage.oneOf ?? doc.components.schemas.LiveSocketMessage.anyOf).toHaveLength(3);
    expect(doc.components.schemas.AvailabilityEvent.required).toEqual(expect.arrayContaining(['lot_id', 'available_spots', 'capacity', 'state', 'version', 'at']));
  });
});
