// The bounds of a lot's live stream, and the answer that refuses a watcher (the API's error envelope). The
// numbers are settings (LIVE_* in wrangler.toml, read by src/env.ts); these are their defaults.
import type { Config } from '../../env.ts';
import type { ErrorCode } from '../../errors.ts';

export type LiveLimits = Config['live'];

export const DEFAULT_LIMITS: LiveLimits = {
  /** Watchers of one lot, WebSockets and event streams together. */
  perLot: 1000,
  /** Streams of one lot from one client IP. */
  perIp: 10,
  /** A stream is closed after this long (the client reconnects; an SSE client resumes with Last-Event-ID). */
  maxLifetimeMs: 60 * 60 * 1000,
  /** A WebSocket that has sent nothing, not even "ping", for this long is closed. */
  idleMs: 10 * 60 * 1000,
  /** Event streams get a comment this often, so that proxies keep them open. */
  heartbeatMs: 25 * 1000,
};

/** Events kept for Server-Sent Events clients that resume with Last-Event-ID. */
export const HISTORY_EVENTS = 200;

export interface Refusal {
  status: 404 | 429 | 503;
  code: ErrorCode;
  message: string;
}

export function refusal({ status, code, message }: Refusal): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status !== 404) headers['retry-after'] = status === 429 ? '60' : '5';
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers });
}
