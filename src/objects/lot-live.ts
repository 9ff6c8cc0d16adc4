// One Durable Object per lot holds the lot's live watchers and tells them every change of its availability.
// WebSockets use the Hibernation API: the object is evicted while nothing happens, an idle watcher costs no
// duration, and a client's "ping" is answered "pong" by the runtime without waking it. Server-Sent Events hold
// the object in memory while they last (a response stream), so a heartbeat keeps proxies from closing them.
//
// The Worker tells the object after each committed change (notify), with the version the database gave it: an
// old or repeated one is dropped, so a watcher never goes back in time; one that skips a version waits for the
// one skipped (overtaken), and when that never comes (lost) the lot is read again. A new watcher starts with the
// last state known, read again when older than STATE_FRESH_MS; with Postgres down it is served as is. Offers of
// held spots follow their change as `waitlist.offered` events; the alarm that expires sockets and beats the
// event streams also lapses the lot's offers on time (./lot-live/holds.ts).
import { DurableObject } from 'cloudflare:workers';
import { makeDeps } from '../deps.ts';
import { readConfig } from '../env.ts';
import type { AvailabilityEvent } from '../schemas/live.ts';
import { eventOf, readAvailability, type LotChange } from '../services/live/availability.ts';
import { holdOf, Holds, lapseOffers, offeredEvents } from './lot-live/holds.ts';
import { HISTORY_EVENTS, refusal, type LiveLimits, type Refusal } from './lot-live/limits.ts';
import { SSE_HEADERS, SseWatchers } from './lot-live/sse.ts';
import { Watchers } from './lot-live/sockets.ts';

type Known = { change: LotChange; at: string; readAt: number };

const STATE_FRESH_MS = 30_000;
/** How long a change that came early waits for its predecessor before the lot is read again. */
const GAP_WAIT_MS = 500;

export class LotLive extends DurableObject<Env> {
  private known: Known | null = null;
  /** Changes that came before their predecessor, by version. */
  private readonly early = new Map<number, LotChange>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly holds = new Holds(this.ctx.storage);
  private readonly limits: LiveLimits;
  private readonly sse: SseWatchers;
  private readonly sockets: Watchers;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.limits = readConfig(env).live;
    this.sse = new SseWatchers(this.limits);
    this.sockets = new Watchers(ctx, this.limits);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  override async fetch(request: Request): Promise<Response> {
    const lotId = Number(new URL(request.url).searchParams.get('lot'));
    const ip = request.headers.get('cf-connecting-ip') ?? 'unknown';
    if (this.overLimit(ip)) return refusal(this.overLimit(ip)!);
    const state = await this.state(lotId);
    if (state === 'gone') return refusal({ status: 404, code: 'not_found', message: `There is no parking lot ${lotId}.` });
    if (state === 'unavailable') return refusal({ status: 503, code: 'database_unavailable', message: 'The lot cannot be read right now. Please retry shortly.' });
    // Again: other watchers came in while the lot was read. From here to their counting nothing awaits.
    if (this.overLimit(ip)) return refusal(this.overLimit(ip)!);
    // A HEAD gets what a stream's answer would start with, and no stream: it has no body to hold one.
    if (request.method === 'HEAD') return new Response(null, { headers: SSE_HEADERS });
    const first = eventOf(state.change, new Date(state.at));
    const response =
      request.headers.get('upgrade')?.toLowerCase() === 'websocket'
        ? this.sockets.open(ip, first)
        : await this.sse.open(ip, first, this.history(), request.headers.get('last-event-id'));
    // After the watcher is counted: the first watcher of a lot would otherwise get no alarm (no heartbeat, no idle or lifetime end).
    await this.scheduleAlarm();
    return response;
  }

  /**
   * A committed change, from the Worker. Changes are told in the order they are sent, not committed: one that
   * comes before its predecessor waits for it a moment (GAP_WAIT_MS), then, if it is still missing, the lot is
   * read again from Postgres and what is known is told in version order.
   */
  async notify(change: LotChange): Promise<void> {
    const known = await this.load();
    if (change.deleted) return this.end();
    if (known && change.version <= known.change.version) {
      // The state it has, told again by a Worker that found an offer past its end: the alarm is set for it.
      if (change.version === known.change.version && change.hold_until_ms !== undefined) {
        await this.holds.set(holdOf(change));
        await this.scheduleAlarm();
      }
      return;
    }
    if (known && change.version > known.change.version + 1) {
      this.early.set(change.version, change);
      this.gapTimer ??= setTimeout(() => void this.closeGap(change.lot_id), GAP_WAIT_MS);
      return;
    }
    await this.apply(change);
    await this.drainEarly();
  }

  /** Tells the changes that came early and now follow on. */
  private async drainEarly(): Promise<void> {
    let next = this.early.get(this.known!.change.version + 1);
    while (next) {
      this.early.delete(next.version);
      await this.apply(next);
      next = this.early.get(this.known!.change.version + 1);
    }
    if (this.early.size === 0 && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
  }

  /** A predecessor never came (a notification lost): tell what came, in order, then what the database has. */
  private async closeGap(lotId: number): Promise<void> {
    this.gapTimer = undefined;
    const waiting = [...this.early.values()].sort((a, b) => a.version - b.version);
    this.early.clear();
    for (const change of waiting) if (change.version > (this.known?.change.version ?? -1)) await this.apply(change);
    const latest = await readAvailability(makeDeps(this.env).db, lotId).catch(() => null);
    if (latest && latest.version > (this.known?.change.version ?? -1)) await this.apply(latest);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.sockets.expire(now);
    this.sse.heartbeat(now);
    const hold = await this.holds.load();
    if (hold && hold.until <= now) await lapseOffers(this.env, this.holds, hold.lot, (await this.load())?.change.version ?? -1, (change) => this.notify(change));
    await this.scheduleAlarm();
  }

  override async webSocketMessage(): Promise<void> {
    // Watchers have nothing to say; "ping" never reaches here (the runtime answers it).
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, 'closed');
  }

  private overLimit(ip: string): Refusal | null {
    if (this.sockets.count() + this.sse.count() >= this.limits.perLot) return { status: 429, code: 'rate_limited', message: `This lot has ${this.limits.perLot} watchers already.` };
    if (this.sockets.count(ip) + this.sse.count(ip) >= this.limits.perIp) return { status: 429, code: 'rate_limited', message: `At most ${this.limits.perIp} streams of one lot per client.` };
    return null;
  }

  private async load(): Promise<Known | null> {
    this.known ??= (await this.ctx.storage.get<Known>('known')) ?? null;
    return this.known;
  }

  private history(): Promise<AvailabilityEvent[]> {
    return this.ctx.storage.get<AvailabilityEvent[]>('history').then((events) => events ?? []);
  }

  private async state(lotId: number): Promise<Known | 'gone' | 'unavailable'> {
    const known = await this.load();
    if (known && Date.now() - known.readAt < STATE_FRESH_MS) return known;
    const read = await readAvailability(makeDeps(this.env).db, lotId).then(
      (found) => found ?? ('gone' as const),
      () => null,
    );
    if (read === null) return known ?? 'unavailable';
    if (read === 'gone') return 'gone';
    // What is known now, not before the read: a change told meanwhile is newer than this read may be.
    if (!this.known || read.version >= this.known.change.version) await this.remember(read, new Date());
    return this.known!;
  }

  private async remember(change: LotChange, at: Date): Promise<void> {
    this.known = { change, at: at.toISOString(), readAt: Date.now() };
    await this.ctx.storage.put('known', this.known);
  }

  /** The lot is gone: its streams end, with no event (a deletion has no version of its own to tell). */
  private async end(): Promise<void> {
    this.sockets.closeAll(4404, 'the lot was deleted');
    this.sse.closeAll('deleted');
    this.early.clear();
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.known = null;
    this.holds.forget();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  private async apply(change: LotChange): Promise<void> {
    const before = this.known?.change;
    const at = new Date();
    await this.remember(change, at);
    const event = eventOf(change, at);
    const history = [...(await this.history()), event].slice(-HISTORY_EVENTS);
    await this.ctx.storage.put('history', history);
    const previous = before ? eventOf(before, at).state : event.state;
    const stateEvent = previous === event.state ? null : { lot_id: event.lot_id, state: event.state, previous_state: previous, version: event.version, at: event.at };
    const offers = offeredEvents(change, event.at);
    this.sockets.send(event, stateEvent, offers);
    this.sse.send(event, stateEvent, offers);
    await this.holds.set(holdOf(change));
    await this.scheduleAlarm();
  }

  private async scheduleAlarm(): Promise<void> {
    const next = Math.min(this.sockets.nextCheck(), this.sse.nextCheck(), (await this.holds.load())?.until ?? Infinity);
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }
}
