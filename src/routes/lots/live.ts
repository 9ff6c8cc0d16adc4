// GET /parking-lots/:id/live: the lot's availability as it changes, from the lot's Durable Object
// (src/objects/lot-live.ts), as a WebSocket (`Upgrade: websocket`) or as Server-Sent Events. Anonymous; it
// passes the gate like every route (rate limited per client IP, counted), then the object takes the stream.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../app-env.ts';
import { DEFAULT_LIMITS as LIMITS, HISTORY_EVENTS } from '../../objects/lot-live/limits.ts';
import { AvailabilityEventSchema, ClosedEventSchema, LiveSocketMessageSchema, StateEventSchema } from '../../schemas/live.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, IdParam } from '../openapi.ts';

const minutes = (ms: number) => `${ms / 60_000} minutes`;

const liveRoute = defineRoute(
  {
    method: 'get',
    path: '/parking-lots/{id}/live',
    tags: ['Parking lots'],
    summary: "The lot's availability as it changes: a WebSocket, or Server-Sent Events",
    description: [
      'Send `Upgrade: websocket` for a WebSocket, or `Accept: text/event-stream` for Server-Sent Events. The current state comes first, then an `availability` event after every change of the lot, and a `state` event when the change moved it to another state (`available`, `almost_full`, `full`). Every event carries the version the database gave the change: versions only grow.',
      `WebSocket messages are JSON, \`{"type": "availability" | "state", ...}\`; send the text \`ping\` to get \`pong\` (and to stay: a socket silent for ${minutes(LIMITS.idleMs)} is closed, code 4001: the setting \`LIVE_IDLE_MS\`). SSE events have the version as their id: reconnect with \`Last-Event-ID\` to get what was missed (the last ${HISTORY_EVENTS} events are kept); a comment every ${LIMITS.heartbeatMs / 1000} s (\`LIVE_HEARTBEAT_MS\`) keeps proxies from closing the stream.`,
      'A lot with a waitlist: when a change held a freed spot for the head of the queue, a `waitlist.offered` event follows its availability event (the schema WaitlistOfferedEvent: the entry id, the spot and when the offer ends; no user or plate). Held spots are not counted in `available_spots`. Offers are not replayed on resume: `GET /waitlist` shows a running one.',
      `Every stream is closed after ${minutes(LIMITS.maxLifetimeMs)} (\`LIVE_MAX_LIFETIME_MS\`; WebSocket code 4000; SSE event \`closed\`): reconnect. When the lot is deleted the streams end (code 4404; SSE event \`closed\`). At most ${LIMITS.perLot} watchers per lot (\`LIVE_MAX_PER_LOT\`) and ${LIMITS.perIp} streams of a lot per client IP (\`LIVE_MAX_PER_IP\`), else 429. The figures are the defaults of those settings. Works without Redis; with PostgreSQL down an open stream stays open and a new one gets the last known state, or 503 if none is known.`,
    ].join('\n\n'),
    request: { params: IdParam },
    responses: {
      101: { description: 'Switching to a WebSocket (with `Upgrade: websocket`): every message is a LiveSocketMessage (JSON)' },
      200: {
        description: 'Server-Sent Events: `event: availability` (the schema AvailabilityEvent, its version as the id), `event: state` (LotStateEvent), `event: waitlist.offered` (WaitlistOfferedEvent) and, last, `event: closed` (LiveClosedEvent)',
        content: { 'text/event-stream': { schema: z.string().meta({ example: 'id: 42\nevent: availability\ndata: {"lot_id":7,"available_spots":3,"capacity":40,"state":"available","version":42,"at":"2025-01-31T09:00:00.000Z"}\n\n' }) } },
      },
      ...errors('validation_failed', 'not_found'),
    },
  },
  { access: 'anyone' },
);

export function registerLiveRoute(app: OpenAPIHono<AppEnv>): void {
  // The event shapes, documented as components though no JSON response names them.
  app.openAPIRegistry.register('AvailabilityEvent', AvailabilityEventSchema);
  app.openAPIRegistry.register('LotStateEvent', StateEventSchema);
  app.openAPIRegistry.register('LiveClosedEvent', ClosedEventSchema);
  app.openAPIRegistry.register('LiveSocketMessage', LiveSocketMessageSchema);

  serve(app, liveRoute, async (c) => {
    const id = c.req.valid('param').id;
    const url = new URL(c.req.url);
    url.searchParams.set('lot', String(id));
    return c.env.LOT_LIVE.getByName(String(id)).fetch(new Request(url, c.req.raw));
  });
}
