// @upstash/ratelimit's three algorithms against the Upstash stand-in: their scripts carry the Upstash-only
// shebang flag, and must run on stock Redis all the same.
import { Ratelimit } from '@upstash/ratelimit';
import { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { tagged } from '../helpers/stand-ins.ts';

const scope = tagged();
const redis = new Redis({ url: scope.env.UPSTASH_REDIS_REST_URL!, token: scope.env.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false });

const algorithms = {
  fixedWindow: Ratelimit.fixedWindow(3, '60 s'),
  slidingWindow: Ratelimit.slidingWindow(3, '60 s'),
  tokenBucket: Ratelimit.tokenBucket(1, '60 s', 3),
};

describe.each(Object.entries(algorithms))('%s', (_name, limiter) => {
  it('lets the limit through, refuses the next, and counts per identifier', async () => {
    const ratelimit = new Ratelimit({ redis, limiter, prefix: `conf-rl:${crypto.randomUUID()}`, ephemeralCache: false });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await ratelimit.limit('alice'));
    expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.reset).toBeGreaterThan(Date.now() - 1000);
    expect((await ratelimit.limit('bob')).success).toBe(true);
    expect((await ratelimit.getRemaining('alice')).remaining).toBe(0);
  });
});

it('runs a limit check in one request once Redis knows the script', async () => {
  const ratelimit = new Ratelimit({ redis, limiter: algorithms.slidingWindow, prefix: `conf-rl:${crypto.randomUUID()}`, ephemeralCache: false });
  await ratelimit.limit('warm-up');
  const { redis: requests } = await scope.count(() => ratelimit.limit('carol'));
  expect(requests).toBe(1);
});
