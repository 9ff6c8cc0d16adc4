// Real clients of GET /parking-lots/:id/live from Node, against `wrangler dev`: Node's own WebSocket (the
// WHATWG one, which lets a header through: the client IP the app reads from `cf-connecting-ip`) and a
// Server-Sent Events client over Node's fetch, parsing the stream as a browser's EventSource does. Each takes
// the Worker's origin, so that bench/live.ts uses them too (the tests' bound ones are in ./world.ts).

export interface LiveEvent {
  type: string;
  id?: string;
  data: any;
  /** performance.now() when it arrived (the bench measures delays from it). */
  at: number;
}

export interface Watcher {
  events: LiveEvent[];
  /** Resolves once an event matches (or throws after `timeoutMs`). */
  until(match: (events: LiveEvent[]) => boolean, timeoutMs?: number): Promise<LiveEvent[]>;
  /** Resolves when the stream ends: a WebSocket's close code, or 'ended' for an event stream. */
  closed: Promise<number | 'ended'>;
  close(): void;
}

function collector() {
  const events: LiveEvent[] = [];
  const waiters = new Set<() => void>();
  const push = (event: LiveEvent) => {
    events.push(event);
    for (const w of waiters) w();
  };
  const until = (match: (events: LiveEvent[]) => boolean, timeoutMs = 20_000) =>
    new Promise<LiveEvent[]>((resolve, reject) => {
      const check = () => {
        if (!match(events)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(events);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => [e.type, e.data?.version]))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { events, push, until };
}

const liveUrl = (origin: string, lotId: number, scheme: 'http' | 'ws') => `${origin.replace(/^http/, scheme)}/parking-lots/${lotId}/live`;

/** A WebSocket watcher from `ip`; with `pingEveryMs` it sends "ping" that often, as a client that wants to stay. */
export async function openSocket(
  origin: string,
  lotId: number,
  ip: string,
  options: { pingEveryMs?: number } = {},
): Promise<Watcher & { ws: WebSocket; pongs: () => number; closing: Promise<number> }> {
  const ws = new WebSocket(liveUrl(origin, lotId, 'ws'), { headers: { 'cf-connecting-ip': ip } } as unknown as string[]);
  const { events, push, until } = collector();
  let pongs = 0;
  ws.addEventListener('message', (e) => {
    if (e.data === 'pong') return void (pongs += 1);
    const data = JSON.parse(String(e.data));
    push({ type: data.type, data, at: performance.now() });
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`WebSocket to lot ${lotId} from ${ip} refused`)), { once: true });
  });
  const timer = options.pingEveryMs ? setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), options.pingEveryMs) : undefined;
  void closed.then(() => clearInterval(timer));
  // When the server's close frame came (readyState leaves OPEN). The close event itself waits for the TCP
  // connection to end, which wrangler dev's proxy holds about 11 s longer; a browser sees the same.
  const closing = new Promise<number>((resolve) => {
    const poll = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) return;
      clearInterval(poll);
      resolve(performance.now());
    }, 25);
  });
  return { ws, events, until, closed, closing, close: () => ws.close(1000), pongs: () => pongs };
}

/** An event-stream watcher from `ip`, resuming after `lastEventId` when given. */
export async function openEventStream(origin: string, lotId: number, ip: string, lastEventId?: string): Promise<Watcher & { comments: () => number }> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', 'cf-connecting-ip': ip };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const res = await fetch(liveUrl(origin, lotId, 'http'), { headers, signal: controller.signal });
  if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
    throw new Error(`event stream of lot ${lotId} from ${ip}: ${res.status} ${await res.text()}`);
  }
  const { events, push, until } = collector();
  let comments = 0;
  const closed = (async (): Promise<'ended'> => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = block.split('\n');
          if (fields.every((f) => f.startsWith(':'))) comments += 1;
          const field = (name: string) => fields.find((f) => f.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field('data');
          if (data !== undefined) push({ type: field('event') ?? 'message', id: field('id'), data: JSON.parse(data), at: performance.now() });
        }
      }
    } catch {
      // aborted by close()
    }
    return 'ended';
  })();
  return { events, until, closed, close: () => controller.abort(), comments: () => comments };
}

/** Whether a new stream is refused, and how: the status and the error envelope's code. */
export async function refusedWith(origin: string, lotId: number, ip: string): Promise<{ status: number; code?: string }> {
  const res = await fetch(liveUrl(origin, lotId, 'http'), { headers: { accept: 'text/event-stream', 'cf-connecting-ip': ip } });
  if (res.status === 200) {
    await res.body?.cancel();
    return { status: 200 };
  }
  const body = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: body.error?.code };
}

/** The availability events' versions and free spots, in arrival order. */
export const availability = (w: Watcher) => w.events.filter((e) => e.type === 'availability').map((e) => e.data as { version: number; available_spots: number });

/** How many events of a type came. */
export const count = (events: LiveEvent[], type: string) => events.filter((e) => e.type === type).length;
