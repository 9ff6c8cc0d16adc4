// The WebSocket watchers of a lot, through the Hibernation API: the runtime keeps the sockets while the object
// is evicted; what the object must know of each (its IP, when it opened) travels in the socket's attachment.
import type { AvailabilityEvent, StateEvent } from '../../schemas/live.ts';
import type { WaitlistOfferedEvent } from '../../schemas/waitlist.ts';
import { LIMITS } from './limits.ts';

type Attachment = { ip: string; opened: number };

const message = (type: 'availability' | 'state' | 'waitlist.offered', event: AvailabilityEvent | StateEvent | WaitlistOfferedEvent) => JSON.stringify({ type, ...event });

export class Watchers {
  private readonly ctx: DurableObjectState;

  constructor(ctx: DurableObjectState) {
    this.ctx = ctx;
  }

  count(ip?: string): number {
    return this.ctx.getWebSockets(ip === undefined ? undefined : `ip:${ip}`).length;
  }

  /** Accepts a watcher and sends it the current state first. */
  open(ip: string, first: AvailabilityEvent): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [`ip:${ip}`]);
    server.serializeAttachment({ ip, opened: Date.now() } satisfies Attachment);
    server.send(message('availability', first));
    return new Response(null, { status: 101, webSocket: client });
  }

  send(event: AvailabilityEvent, state: StateEvent | null, offers: WaitlistOfferedEvent[] = []): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message('availability', event));
        if (state) ws.send(message('state', state));
        for (const offer of offers) ws.send(message('waitlist.offered', offer));
      } catch {
        // closing meanwhile: its close handler cleans up
      }
    }
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) ws.close(code, reason);
  }

  /** Closes the sockets past their lifetime, and those silent (not even a "ping") for too long. */
  expire(now: number): void {
    for (const ws of this.ctx.getWebSockets()) {
      const { opened } = ws.deserializeAttachment() as Attachment;
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? opened;
      if (now - opened >= LIMITS.maxLifetimeMs) ws.close(4000, 'lifetime over: reconnect');
      else if (now - Math.max(opened, lastPing) >= LIMITS.idleMs) ws.close(4001, 'idle: send "ping" to stay');
    }
  }

  /** When the next socket may need closing (Infinity with none). */
  nextCheck(): number {
    let next = Infinity;
    for (const ws of this.ctx.getWebSockets()) {
      const { opened } = ws.deserializeAttachment() as Attachment;
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? opened;
      next = Math.min(next, opened + LIMITS.maxLifetimeMs, Math.max(opened, lastPing) + LIMITS.idleMs);
    }
    return next;
  }
}
