// Everything a request (or the cron job) needs, built fresh for each from the bindings: Workers forbid
// reusing one request's I/O objects in another, so nothing here is global. The clients (`db`, `redis`) and
// the request's own bookkeeping (`request`: counters and work for after the response) are kept apart.
import { createDatabase, type Database } from './db/client.ts';
import { readConfig, type Config, type Env } from './env.ts';
import { createRedisStore } from './redis/client.ts';
import type { RedisStore } from './redis/store.ts';

/** A request's own bookkeeping: the reads started early, and what it leaves for after its response (counter increments, fills). */
export class RequestWork {
  private readonly counts = new Map<string, number>();
  private deferred: (() => Promise<unknown>)[] = [];
  private readonly started = new Map<string, Promise<unknown>>();

  count(counter: string, by = 1): void {
    this.counts.set(counter, (this.counts.get(counter) ?? 0) + by);
  }

  defer(work: () => Promise<unknown>): void {
    this.deferred.push(work);
  }

  /** Starts a read now (in the gate's round trip: Guard.early) for the handler to take later. */
  startEarly(name: string, read: Promise<unknown>): void {
    this.started.set(name, read);
  }

  /** The read started early under `name`, once (a later call starts its own); undefined when none was. */
  takeEarly<T>(name: string): Promise<T> | undefined {
    const read = this.started.get(name) as Promise<T> | undefined;
    this.started.delete(name);
    return read;
  }

  get pending(): boolean {
    return this.counts.size > 0 || this.deferred.length > 0;
  }

  /** Starts everything in one tick, so it all leaves in one Redis pipeline; settles when all is done. */
  flush(redis: RedisStore): Promise<unknown> {
    const work = this.deferred.splice(0).map((run) => run());
    const increments = [...this.counts].map(([counter, by]) => redis.incrementCounter(counter, by));
    this.counts.clear();
    return Promise.allSettled([...work, ...increments]);
  }
}

export interface Deps {
  config: Config;
  db: Database;
  redis: RedisStore;
  /** The lots' live objects (GET /parking-lots/:id/live), told of every committed change of a lot. */
  live: Env['LOT_LIVE'];
  /** Webhook deliveries to make (services/webhooks/outbox.ts): the ids of outbox rows. */
  webhookQueue: Env['WEBHOOK_QUEUE'];
  request: RequestWork;
}

export function makeDeps(env: Env): Deps {
  const config = readConfig(env);
  return { config, db: createDatabase(config), redis: createRedisStore(config), live: env.LOT_LIVE, webhookQueue: env.WEBHOOK_QUEUE, request: new RequestWork() };
}
