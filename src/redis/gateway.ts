// Every Redis command of a request goes through its gateway. Commands queued before the next macrotask
// leave together in ONE pipeline request, whatever part of the code queued them (session lookup, rate limit,
// cache read): that is how a request keeps to one Redis round trip. Each round trip is bounded by a timeout
// and guarded by the circuit breaker; when Redis cannot be reached every queued command rejects with
// RedisUnavailable, which callers treat as "no Redis" rather than as an error.
// With batching off (REDIS_BATCHING=off, set only by `npm run bench`) every command is a round trip of its own,
// one after the other, as in an app that awaits each command in turn: what the batching saves, measured.
import type { Redis } from '@upstash/redis/cloudflare';
import type { CircuitBreaker } from './breaker.ts';

export type Pipeline = ReturnType<Redis['pipeline']>;

export class RedisUnavailable extends Error {}

/** Redis answered, with an error for this one command. */
export class RedisCommandError extends Error {}

interface Queued {
  build: (pipeline: Pipeline) => Pipeline;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type Outcome = { error?: string; result: unknown };

/**
 * The newest `upstash-sync-token` an isolate has seen from one Redis database. Upstash may serve a read from a
 * replica; the token makes it wait until the replica has caught up with the writes the token stands for. The SDK
 * keeps it per client, and the app makes a client per request (Workers forbid sharing I/O objects), so the
 * isolate keeps it here (a string, not an I/O object): a logout or an invalidation is seen by the next request
 * this isolate serves, whoever sends it.
 */
export interface SyncState {
  token: string;
}

/**
 * A command the SDK's pipeline has no method for (INFO): the pipeline only needs the arguments and a
 * deserializer, so it can carry it like its own commands. The conformance tests cover it.
 */
export function raw(pipeline: Pipeline, args: string[]): Pipeline {
  const command = { command: args, deserialize: (result: unknown) => result };
  return (pipeline as unknown as { chain(c: typeof command): Pipeline }).chain(command);
}

export class RedisGateway {
  private readonly client: Redis | null;
  private readonly breaker: CircuitBreaker | null;
  private readonly timeoutMs: number;
  private readonly sync: SyncState;
  private readonly batching: boolean;
  private queue: Queued[] = [];
  /** Batching off: the commands' round trips, one after the other. */
  private inTurn: Promise<void> = Promise.resolve();
  /** Round trips this gateway made (or tried). */
  roundTrips = 0;

  constructor(client: Redis | null, breaker: CircuitBreaker | null, timeoutMs: number, sync: SyncState = { token: '' }, batching = true) {
    this.client = client;
    this.batching = batching;
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
    this.sync = sync;
  }

  get configured(): boolean {
    return this.client !== null;
  }

  /** False when Redis is not configured or the circuit is open: callers may skip work that needs it. */
  get usable(): boolean {
    return this.client !== null && this.breaker !== null && !this.breaker.isOpen();
  }

  /** How often the circuit has closed again since the isolate started. */
  get recoveries(): number {
    return this.breaker?.generation ?? 0;
  }

  call<T>(build: (pipeline: Pipeline) => Pipeline): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const item = { build, resolve: resolve as (value: unknown) => void, reject };
      if (!this.batching) {
        this.inTurn = this.inTurn.then(() => this.deliver([item]));
        return;
      }
      if (this.queue.length === 0) setTimeout(() => void this.flush(), 0);
      this.queue.push(item);
    });
  }

  /**
   * One round trip now, even while the circuit is open: the health check asks Redis itself, and its
   * answer opens or closes the circuit for everyone.
   */
  async probe(build: (pipeline: Pipeline) => Pipeline, maxMs = this.timeoutMs): Promise<Outcome[]> {
    if (!this.client) throw new RedisUnavailable('Redis is not configured');
    return this.send(build(this.client.pipeline()), Math.min(maxMs, this.timeoutMs));
  }

  private flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    return this.deliver(batch);
  }

  private async deliver(batch: Queued[]): Promise<void> {
    if (!this.client || !this.breaker?.tryAcquire()) {
      const error = new RedisUnavailable(this.client ? 'Redis circuit is open' : 'Redis is not configured');
      for (const item of batch) item.reject(error);
      return;
    }
    try {
      const outcomes = await this.send(batch.reduce((p, item) => item.build(p), this.client.pipeline()));
      batch.forEach((item, i) => {
        const { error, result } = outcomes[i]!;
        if (error) item.reject(new RedisCommandError(error));
        else item.resolve(result);
      });
    } catch (error) {
      for (const item of batch) item.reject(error as Error);
    }
  }

  private async send(pipeline: Pipeline, timeoutMs = this.timeoutMs): Promise<Outcome[]> {
    this.roundTrips += 1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailable(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    if (this.client) this.client.readYourWritesSyncToken = this.sync.token;
    const request = pipeline.exec({ keepErrors: true });
    request.catch(() => {}); // it may settle after the timeout has already answered
    try {
      const outcomes = (await Promise.race([request, timeout])) as Outcome[];
      // The answer that arrives last reflects the most writes (each answer's token is the primary's state then).
      const token = this.client?.readYourWritesSyncToken;
      if (token) this.sync.token = token;
      this.breaker?.success();
      return outcomes;
    } catch (error) {
      this.breaker?.failure();
      throw error instanceof RedisUnavailable ? error : new RedisUnavailable(`Redis unreachable: ${String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
