// The lot's Durable Object through the Worker, inside workerd: the first event is the current state, changes
// fan out in version order, an old or repeated notification is dropped, a skipped version is read again from
// Postgres, SSE resumes with Last-Event-ID, deletion closes the streams, and the limits hold.
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { testEnv } from '../helpers/http.ts';
import { makeAdmin, makeLot, sql } from '../helpers/fixtures.ts';

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
  it('starts with the current state and sends every newer change once, in order', async () => {
    const lot = await makeLot(await makeAdmin(), { capacity: 10 });
    const a = await socket(lot.id);
    expect((await a.until(1))[0]).toMatchObject({ type: 'availability', lot_id: lot.id, available_spots: 10, capacity: 10, state: 'available', version: 0 });
    await stub(lot.id).notify({ lot_id: lot.id, version: 1, available_spots: 9, capacity: 10 });
    await stub(lot.id).notify({ lot_id: lot.id, version: 1, available_spots: 9, capacity: 10 }); // repeated
    await stub(lot.id).notify({ lot_id: lot.id, version: 2, available_spots: 1, capacity: 10 });
    const got = await a.until(4);
    expect(got.slice(1).map((m) => [m.type, m.version, m.state ?? null])).toEqual([
      ['availability', 1, 'available'],
      ['availability', 2, 'almost_full'],
      ['state', 2, 'almost_full'],
    ]);
  });

  it('reads the lot again when a version was skipped', async () => {
    const lot = await makeLot(await makeAdmin(), { capacity: 4 });
    const a = await socket(lot.id);
    await a.until(1);
    await sql`UPDATE parking_lots SET availability_version = 5 WHERE id = ${lot.id}`;
    await stub(lot.id).notify({ lot_id: lot.id, version: 3, available_spots: 0, capacity: 4 });
    const [, event] = await a.until(2);
    expect(event).toMatchObject({ version: 5, available_spots: 4 }); // what the database says, not the stale notice
  });

  it('closes the streams when the lot is deleted', async () => {
    const lot = await makeLot(await makeAdmin());
    const a = await socket(lot.id);
    await a.until(1);
    const closed = new Promise<number>((resolve) => a.ws.addEventListener('close', (e) => resolve(e.code)));
    await stub(lot.id).notify({ lot_id: lot.id, version: 1, available_spots: 0, capacity: 0, deleted: true });
    expect(await closed).toBe(4404);
  });

  it('answers SSE with the current state, and resumes from Last-Event-ID', async () => {
    const lot = await makeLot(await makeAdmin(), { capacity: 3 });
    for (const version of [1, 2, 3]) await stub(lot.id).notify({ lot_id: lot.id, version, available_spots: 3 - version, capacity: 3 });
    const res = await open(`/parking-lots/${lot.id}/live`, { accept: 'text/event-stream', 'last-event-id': '1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('id: 3')) text += new TextDecoder().decode((await reader.read()).value);
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))).toEqual([2, 3]);
    await reader.cancel();
  });

  it('refuses a lot that does not exist, and an 11th stream from one IP', async () => {
    expect((await open('/parking-lots/999999999/live', { upgrade: 'websocket' })).status).toBe(404);
    const lot = await makeLot(await makeAdmin());
    const sockets = await Promise.all(Array.from({ length: 10 }, () => socket(lot.id)));
    const refused = await open(`/parking-lots/${lot.id}/live`, { upgrade: 'websocket' });
    expect(refused.status).toBe(429);
    for (const s of sockets) s.ws.close();
  });
});
