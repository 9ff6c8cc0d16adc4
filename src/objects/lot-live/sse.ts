// The Server-Sent Events watchers of a lot: each a response stream the object writes to. An event's id is its
// version, so a client that reconnects with Last-Event-ID gets the events it missed (those the object still
// keeps), or the current state when it missed more than that.
import type { AvailabilityEvent, ClosedEvent, StateEvent } from '../../schemas/live.ts';
import type { WaitlistOfferedEvent } from '../../schemas/waitlist.ts';
import type { LiveLimits } from './limits.ts';

interface Client {
  ip: string;
  opened: number;
  writer: WritableStreamDefaultWriter<Uint8Array>;
}

const encoder = new TextEncoder();

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } as const;

function frame(type: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class SseWatchers {
  private readonly clients = new Set<Client>();
  private lastBeat = Date.now();
  private readonly limits: LiveLimits;

  constructor(limits: LiveLimits) {
    this.limits = limits;
  }

  count(ip?: string): number {
    return ip === undefined ? this.clients.size : [...this.clients].filter((c) => c.ip === ip).length;
  }

  async open(ip: string, current: AvailabilityEvent, history: Promise<AvailabilityEvent[]>, lastEventId: string | null): Promise<Response> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const client: Client = { ip, opened: Date.now(), writer: writable.getWriter() };
    this.clients.add(client);
    // A client that goes away frees its place at once, not at the next write (a heartbeat may be 25 s off, and
    // until then its reconnection would count twice against the per-IP limit).
    client.writer.closed.catch(() => this.clients.delete(client));
    const since = lastEventId !== null && /^\d+$/.test(lastEventId) ? Number(lastEventId) : null;
    const kept = await history;
    const missed = since === null ? [] : kept.filter((e) => e.version > since);
    const upToDate = since !== null && since >= current.version;
    const resumable = since !== null && missed.length > 0 && missed[0]!.version === since + 1;
    const opening = upToDate ? [] : resumable ? missed : [current];
    void this.write(client, `retry: 3000\n\n${opening.map((e) => frame('availability', e, e.version)).join('')}`);
    return new Response(readable, { headers: SSE_HEADERS });
  }

  /** An offer has no id of its own (ids are versions, for resuming availability): it is not replayed. */
  send(event: AvailabilityEvent, state: StateEvent | null, offers: WaitlistOfferedEvent[] = []): void {
    const text = frame('availability', event, event.version) + (state ? frame('state', state) : '') + offers.map((o) => frame('waitlist.offered', o)).join('');
    for (const client of this.clients) void this.write(client, text);
  }

  closeAll(reason: ClosedEvent['reason']): void {
    for (const client of this.clients) void this.write(client, frame('closed', { reason } satisfies ClosedEvent)).then(() => this.end(client));
  }

  /** A comment to every stream now and then; streams past their lifetime are ended. */
  heartbeat(now: number): void {
    if (now - this.lastBeat < this.limits.heartbeatMs * 0.9) return;
    this.lastBeat = now;
    for (const client of this.clients) {
      if (now - client.opened >= this.limits.maxLifetimeMs) void this.write(client, frame('closed', { reason: 'lifetime over: reconnect' } satisfies ClosedEvent)).then(() => this.end(client));
      else void this.write(client, ': heartbeat\n\n');
    }
  }

  nextCheck(): number {
    return this.clients.size === 0 ? Infinity : this.lastBeat + this.limits.heartbeatMs;
  }

  private async write(client: Client, text: string): Promise<void> {
    try {
      await client.writer.write(encoder.encode(text));
    } catch {
      this.clients.delete(client); // the client went away
    }
  }

  private end(client: Client): void {
    this.clients.delete(client);
    client.writer.close().catch(() => {});
  }
}
