// The WebSocket watchers of a lot, through the Hibernation API: the runtime keeps the sockets while the object
// is evicted; what the object must know of each (its IP, when it opened) travels in the socket's attachment.
import type { AvailabilityEvent, LiveSocketMessage, StateEvent } from '../../schemas/live.ts';
import type { WaitlistOfferedEvent } from '../../schemas/waitlist.ts';
import type { LiveLimits } from './limits.ts';

type Attachment = { ip: string; opened: number };

const message = (m: LiveSocketMessage) => JSON.stringify(m);

export class Watchers {
  private readonly ctx: DurableObjectState;
  private readonly limits: LiveLimits;

  constructor(ctx: DurableObjectState, limits: LiveLimits) {
    this.ctx = ctx;
    this.limits = limits;
  }

  count(ip?: string): number {
    return this.ctx.getWebSockets(ip === undefined ? undefined : `ip:${ip}`).length;
  }

  /** Accepts a watcher and sends it the current state first. */
  open(ip: string, first: AvailabilityEvent): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [`ip:${ip}`]);
    server.serializeAttachment({ ip, opened: Date.now() } satisfies Attachment);
    server.send(message({ type: 'availability', ...first }));
    return new Response(null, { status: 101, webSocket: client });
  }

  send(event: AvailabilityEvent, state: StateEvent | null, offers: WaitlistOfferedEvent[] = []): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message({ type: 'availability', ...event }));
        if (state) ws.send(message({ type: 'state', ...state }));
        for (const offer of offers) ws.send(message({ type: 'waitlist.offered', ...offer }));
      } catch {
        // closing meanwhile: its close handler cleans up
      }
    }
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) ws.close(code, reason);
  }

  /**
   * The sockets still open. One the object closed stays listed until the client answers the close; counting it
   * here would set the next alarm in the past, again and again, while a client never answers.
   */
  private stillOpen(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** Closes the sockets past their lifetime, and those silent (not even a "ping") for too long. */
  expire(now: number): void {
    for (const ws of this.stillOpen()) {
      const { opened } = ws.deserializeAttachment() as Attachment;
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? opened;
      if (now - opened >= this.limits.maxLifetimeMs) ws.close(4000, 'lifetime over: reconnect');
      else if (now - Math.max(opened, lastPing) >= this.limits.idleMs) ws.close(4001, 'idle: send "ping" to stay');
    }
  }

  /** When the next socket may need closing (Infinity with none). */
  nextCheck(): number {
    let next = Infinity;
    for (const ws of this.stillOpen()) {
      const { opened } = ws.deserializeAttachment() as Attachment;
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? opened;
      next = Math.min(next, opened + this.limits.maxLifetimeMs, Math.max(opened, lastPing) + this.limits.idleMs);
    }
    return next;
  }
}
