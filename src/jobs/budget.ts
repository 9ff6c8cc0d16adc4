// What one run of the daily job may spend. The platform counts every subrequest of an invocation — each Redis
// pipeline and each Postgres query is one fetch — and refuses the 51st on the free plan (the 1 001st on the paid
// one); an invocation of a cron trigger also ends after 15 minutes. The job stops before either: a step asks
// before each piece of work whether its cost still fits, and what it leaves is carried over to the next run.
import type { Database } from '../db/client.ts';
import type { Deps } from '../deps.ts';

export interface Limits {
  subrequests: number;
  wallMs: number;
}

/**
 * No piece of work starts after this long. The platform allows 15 minutes; the rest leaves room for the piece
 * in flight, whose round trips are each bounded by their timeout (5 s at most by default).
 */
export const WALL_MS = 10 * 60_000;

/** What a step may spend: `allows(n)` before each piece of work that costs at most n subrequests. */
export interface StepBudget {
  allows(subrequests: number): boolean;
}

export class Budget {
  /** The job's clients: the same as the request's, with every Postgres query counted. */
  readonly deps: Deps;
  readonly limits: Limits;
  private queries = 0;
  private readonly redisBefore: number;
  private readonly deadline: number;
  private readonly clock: () => number;

  constructor(deps: Deps, limits: Limits, clock: () => number = Date.now) {
    this.limits = limits;
    this.clock = clock;
    this.redisBefore = deps.redis.gateway.roundTrips;
    this.deadline = clock() + limits.wallMs;
    this.deps = { ...deps, db: this.counting(deps.db) };
  }

  /** Subrequests so far: Redis round trips (the gateway counts each pipeline it sends) and Postgres queries. */
  get spent(): number {
    return this.deps.redis.gateway.roundTrips - this.redisBefore + this.queries;
  }

  get timeLeft(): boolean {
    return this.clock() < this.deadline;
  }

  /** Whether `n` more subrequests fit with `reserved` kept for what comes later, and there is time left. */
  allows(n: number, reserved = 0): boolean {
    return this.spent + n + reserved <= this.limits.subrequests && this.timeLeft;
  }

  /** The view a step gets: everything but what is kept for the steps after it. */
  forStep(reserved: number): StepBudget {
    return { allows: (n) => this.allows(n, reserved) };
  }

  // The job sends every statement with execute(), so counting execute() counts each query it makes.
  private counting(db: Database): Database {
    return new Proxy(db, {
      get: (target, name, receiver) => {
        if (name !== 'execute') return Reflect.get(target, name, receiver);
        return (...args: Parameters<Database['execute']>) => {
          this.queries += 1;
          return target.execute(...args);
        };
      },
    });
  }
}
