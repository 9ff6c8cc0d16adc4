// The steady load of the fault scenarios: autocannon instances against the Worker, each a stream of one
// kind of request at a fixed rate, every answer recorded with its time, status, error code, latency and
// whether it carried the rate limiter's headers (a sign that Redis answered the request's gate).
import autocannon from 'autocannon';

export interface Sample {
  stream: string;
  /** The kind of request: the stream's name, or its step's (book, park, release). */
  kind: string;
  /** When the answer arrived (ms since the epoch). */
  at: number;
  status: number;
  /** The error envelope's code, for an error answer. */
  code: string | null;
  latencyMs: number;
  rateLimitHeaders: boolean;
}

export interface Stream {
  name: string;
  connections: number;
  /** Requests per second over all the stream's connections; none: as fast as the answers come (`npm run bench`). */
  rate?: number;
  /** Each connection loops over these; a setupRequest returning null starts the loop again. */
  requests: autocannon.Request[];
  /** A name for each request of the loop, when they are of different kinds. */
  steps?: string[];
}

export interface Load {
  samples: Sample[];
  /** Requests that got no answer at all (connection errors, timeouts). */
  noAnswer: { stream: string; at: number; error: string }[];
  done: Promise<void>;
  stop(): void;
}

function errorCode(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } };
    return typeof parsed?.error?.code === 'string' ? parsed.error.code : null;
  } catch {
    return null;
  }
}

/** Runs the streams side by side for `durationMs`, answering within `timeoutMs` or counted as no answer. */
export function runLoad(origin: string, streams: Stream[], durationMs: number, timeoutMs = 10_000): Load {
  const samples: Sample[] = [];
  const noAnswer: Load['noAnswer'] = [];
  const instances = streams.map((stream) => {
    // autocannon calls a request's onResponse and then, synchronously, emits 'response' with its latency.
    let last: Sample | null = null;
    const requests = stream.requests.map((request, i) => ({
      ...request,
      onResponse: (status: number, body: string, context: object, headers: autocannon.Request['headers']) => {
        last = {
          stream: stream.name,
          kind: stream.steps?.[i] ?? stream.name,
          at: Date.now(),
          status,
          code: status >= 400 ? errorCode(body) : null,
          latencyMs: Number.NaN,
          // autocannon keeps the header names as sent.
          rateLimitHeaders: Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'ratelimit-remaining'),
        };
        samples.push(last);
        if (typeof request.onResponse === 'function') request.onResponse(status, body, context, headers);
      },
    }));
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const instance = autocannon(
      {
        url: origin,
        connections: stream.connections,
        ...(stream.rate === undefined ? {} : { overallRate: stream.rate }),
        duration: durationMs / 1000,
        timeout: timeoutMs / 1000,
        requests,
      },
      () => finished(),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      if (last) last.latencyMs = responseTime;
      last = null;
    });
    instance.on('reqError', (error: unknown) => {
      noAnswer.push({ stream: stream.name, at: Date.now(), error: String((error as Error)?.message ?? error) });
    });
    return { instance, done };
  });
  const done = Promise.all(instances.map((i) => i.done)).then(() => {});
  return { samples, noAnswer, done, stop: () => instances.forEach((i) => i.instance.stop()) };
}

/** Samples answered within [from, to). */
export function within(samples: Sample[], from: number, to: number): Sample[] {
  return samples.filter((s) => s.at >= from && s.at < to);
}
