// The fetch under Neon's HTTP driver. One deadline (the database timeout) bounds a query with all its attempts;
// within it, an answer saying PostgreSQL aborted the transaction for a deadlock or a serialization failure is
// re-sent. That is safe at this depth and at no higher one: each request to Neon's /sql is ONE transaction
// (a single statement, or a `transaction()` batch), rolled back whole on error, so the same body runs again
// from nothing on fresh snapshots. Only such an answer is re-sent: a lost answer (timeout, dropped
// connection) never is, since its transaction may have committed.
import { isConflictSqlState } from './errors.ts';

/** Attempts of one request whose transactions keep losing races; then the driver sees the last error. */
export const CONFLICT_ATTEMPTS = 4;
/** The first pause between attempts is up to this long, doubling each time (full jitter). */
const BASE_PAUSE_MS = 25;

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** The SQLSTATE of a Neon error answer: HTTP 400 with the PostgreSQL error's fields as JSON. */
function sqlStateIn(body: string): unknown {
  try {
    return (JSON.parse(body) as { code?: unknown } | null)?.code;
  } catch {
    return undefined;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

export function retryingFetch(timeoutMs: number, attempts = CONFLICT_ATTEMPTS, send: Fetch = (input, init) => fetch(input, init)): Fetch {
  return async (input, init) => {
    const signal = AbortSignal.timeout(timeoutMs);
    for (let attempt = 1; ; attempt++) {
      const response = await send(input, { ...init, signal });
      if (response.status !== 400 || attempt === attempts) return response;
      // The driver reads the body of a 400 itself (its JSON: message, code, detail, constraint…): read it here,
      // and hand over an unread copy when it stays (without the length and encoding headers of the original).
      const body = await response.text();
      if (!isConflictSqlState(sqlStateIn(body))) {
        return new Response(body, { status: response.status, statusText: response.statusText, headers: { 'content-type': 'application/json' } });
      }
      await pause(Math.random() * BASE_PAUSE_MS * 2 ** (attempt - 1), signal);
    }
  };
}
