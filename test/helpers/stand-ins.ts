// Reading and steering the stand-ins from a test. Each test works under a tag of its own (in the Redis
// token and in the connection string's application_name), so that counting requests and injecting faults
// only ever concern its own traffic, even while other test files run.
import type { Env } from '../../src/env.ts';
import { testEnv } from './http.ts';

type Fault = 'none' | 'refuse' | 'hang';
type Which = 'redis' | 'neon';

export interface Tagged {
  tag: string;
  env: Env;
  requestsServed(which: Which): Promise<number>;
  configure(which: Which, config: { delay_ms?: number; reply_delay_ms?: number; fault?: Fault }): Promise<void>;
  /** Runs `work` and returns how many requests each stand-in served for this tag meanwhile. */
  count<T>(work: () => Promise<T>): Promise<{ result: T; redis: number; neon: number }>;
}

function controlUrl(which: Which): string {
  return which === 'redis' ? testEnv.UPSTASH_REDIS_REST_URL! : testEnv.NEON_CONTROL_URL;
}

const controlHeaders = (which: Which): Record<string, string> =>
  which === 'redis' ? { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` } : {};

export function tagged(tag = `t${crypto.randomUUID().replaceAll('-', '')}`): Tagged {
  const databaseUrl = new URL(testEnv.DATABASE_URL);
  databaseUrl.searchParams.set('application_name', tag);
  const env: Env = { ...testEnv, UPSTASH_REDIS_REST_TOKEN: `${testEnv.UPSTASH_REDIS_REST_TOKEN}.${tag}`, DATABASE_URL: databaseUrl.toString() };
  const requestsServed = async (which: Which) => {
    const res = await fetch(`${controlUrl(which)}/__control/stats?tag=${tag}`, { headers: controlHeaders(which) });
    return ((await res.json()) as { requests: number }).requests;
  };
  return {
    tag,
    env,
    requestsServed,
    configure: async (which, config) => {
      const res = await fetch(`${controlUrl(which)}/__control/config`, {
        method: 'POST',
        headers: controlHeaders(which),
        body: JSON.stringify({ tag, ...config }),
      });
      if (!res.ok) throw new Error(`control of ${which} refused: ${await res.text()}`);
    },
    count: async (work) => {
      const [redisBefore, neonBefore] = await Promise.all([requestsServed('redis'), requestsServed('neon')]);
      const result = await work();
      const [redisAfter, neonAfter] = await Promise.all([requestsServed('redis'), requestsServed('neon')]);
      return { result, redis: redisAfter - redisBefore, neon: neonAfter - neonBefore };
    },
  };
}
