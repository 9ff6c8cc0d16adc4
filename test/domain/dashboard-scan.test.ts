// The dashboard's namespace scan on a Redis database of this file's own, whose whole content the tests know:
// what it finds, where it stops, and what it costs in round trips and in the size of each command.
import { beforeEach, describe, expect, it } from 'vitest';
import { makeDeps, type Deps } from '../../src/deps.ts';
import { keys } from '../../src/redis/keys.ts';
import { MAX_PAGES, SCAN_COUNT, scanNamespaces } from '../../src/services/dashboard/namespaces.ts';
import { makeAdmin, redisClient } from '../helpers/fixtures.ts';
import { call, testEnv } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const url = testEnv.SCAN_REDIS_URL;
const redis = redisClient(url);

const control = (path: string, init?: RequestInit) =>
  fetch(`${url}/__control/${path}`, { ...init, headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` } });

/** A tag of its own on this file's Redis, with the requests the stand-in served for it. */
function scope() {
  const s = tagged();
  return {
    env: { ...s.env, UPSTASH_REDIS_REST_URL: url, REDIS_TIMEOUT_MS: '3000' },
    requests: async () => ((await (await control(`stats?tag=${s.tag}`)).json()) as { requests: number }).requests,
    delay: async (ms: number) => expect((await control('config', { method: 'POST', body: JSON.stringify({ tag: s.tag, delay_ms: ms }) })).status).toBe(200),
  };
}

/** Every command the scan queues, with the pipeline (round trip) it left in. */
function recordCommands(deps: Deps): { name: string; args: unknown[]; trip: number }[] {
  const sent: { name: string; args: unknown[]; trip: number }[] = [];
  const send = deps.redis.gateway.call.bind(deps.redis.gateway);
  deps.redis.gateway.call = ((build) =>
    send((pipeline) => {
      const trip = deps.redis.gateway.roundTrips;
      const spy = new Proxy(pipeline, {
        get: (target, name, receiver) => {
          const value = Reflect.get(target, name, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            sent.push({ name: String(name), args, trip });
            return value.apply(target, args);
          };
        },
      });
      build(spy);
      return pipeline;
    })) as typeof deps.redis.gateway.call;
  return sent;
}

async function seed(count: number, namespace: string): Promise<void> {
  for (let start = 0; start < count; start += 1000) {
    const p = redis.pipeline();
    for (let i = start; i < Math.min(count, start + 1000); i++) p.set(`${namespace}:${i}`, '1');
    await p.exec();
  }
}

beforeEach(async () => {
  await redis.flushdb();
});

describe('the namespace scan', () => {
  it('counts the keys of each namespace and their TTLs, in two round trips for a small keyspace', async () => {
    await redis.set('alpha:1', 'x');
    await redis.set('alpha:2', 'x');
    await redis.set('alpha:3', 'x');
    for (const [i, ttl] of [100, 200, 300, 400].entries()) await redis.set(`beta:${i}`, 'x', { ex: ttl });
    await redis.set('gamma', 'x', { ex: 50 });
    const s = scope();
    const deps = makeDeps(s.env);
    const before = await s.requests();
    const scan = await scanNamespaces(deps);
    expect(scan).toEqual({
      scanned: 8,
      truncated: false,
      namespaces: [
        { namespace: 'beta', keys: 4, keys_with_ttl: 4, min_ttl_seconds: expect.any(Number), max_ttl_seconds: expect.any(Number), avg_ttl_seconds: expect.any(Number) },
        { namespace: 'alpha', keys: 3, keys_with_ttl: 0, min_ttl_seconds: null, max_ttl_seconds: null, avg_ttl_seconds: null },
        { namespace: 'gamma', keys: 1, keys_with_ttl: 1, min_ttl_seconds: expect.any(Number), max_ttl_seconds: expect.any(Number), avg_ttl_seconds: expect.any(Number) },
      ],
    });
    const [beta, , gamma] = scan.namespaces;
    expect(beta!.min_ttl_seconds).toBeGreaterThanOrEqual(98);
    expect(beta!.min_ttl_seconds).toBeLessThanOrEqual(100);
    expect(beta!.max_ttl_seconds).toBeGreaterThanOrEqual(398);
    expect(beta!.max_ttl_seconds).toBeLessThanOrEqual(400);
    expect(beta!.avg_ttl_seconds).toBeGreaterThanOrEqual(248);
    expect(beta!.avg_ttl_seconds).toBeLessThanOrEqual(250);
    expect(gamma!.min_ttl_seconds).toBeGreaterThanOrEqual(48);
    // one SCAN page, then its TTLs
    expect(deps.redis.gateway.roundTrips).toBe(2);
    expect((await s.requests()) - before).toBe(2);
  });

  it('costs one round trip on an empty database', async () => {
    const deps = makeDeps(scope().env);
    expect(await scanNamespaces(deps)).toEqual({ scanned: 0, truncated: false, namespaces: [] });
    expect(deps.redis.gateway.roundTrips).toBe(1);
  });

  it(`stops after ${MAX_PAGES} pages of a larger keyspace and says so, each page's TTLs riding with the next SCAN`, async () => {
    await seed(3000, 'many');
    const deps = makeDeps(scope().env);
    const sent = recordCommands(deps);
    const scan = await scanNamespaces(deps);
    expect(scan.truncated).toBe(true);
    expect(scan.scanned).toBeGreaterThanOrEqual(MAX_PAGES * SCAN_COUNT * 0.9);
    expect(scan.scanned).toBeLessThan(3000);
    expect(scan.namespaces).toEqual([expect.objectContaining({ namespace: 'many', keys: scan.scanned, keys_with_ttl: 0 })]);
    expect(deps.redis.gateway.roundTrips).toBeLessThanOrEqual(1 + MAX_PAGES);

    const scans = sent.filter((c) => c.name === 'scan');
    expect(scans.length).toBe(deps.redis.gateway.roundTrips - 1);
    for (const c of scans) expect(c.args[1]).toEqual({ count: SCAN_COUNT });
    expect(sent.filter((c) => c.name === 'ttl')).toHaveLength(scan.scanned);
    const perTrip = new Map<number, number>();
    for (const c of sent) perTrip.set(c.trip, (perTrip.get(c.trip) ?? 0) + 1);
    expect(perTrip.size).toBe(deps.redis.gateway.roundTrips);
    // the longest pipeline: one page's TTLs and the next SCAN (a page may be a little over SCAN_COUNT)
    expect(Math.max(...perTrip.values())).toBeLessThanOrEqual(SCAN_COUNT * 1.2 + 1);
  });

  it('starts no new page once a second has gone by, however slow Redis is', async () => {
    await seed(3000, 'many');
    const s = scope();
    await s.delay(450);
    const deps = makeDeps(s.env);
    const scan = await scanNamespaces(deps);
    expect(scan.truncated).toBe(true);
    expect(deps.redis.gateway.roundTrips).toBeLessThan(1 + MAX_PAGES);
    expect(scan.namespaces[0]).toMatchObject({ namespace: 'many', keys: scan.scanned });
  });
});

describe('GET /admin/redis-dashboard on that database', () => {
  it(`costs 2 + pages Redis round trips uncached (at most ${2 + MAX_PAGES}), 1 cached, and reports the truncated scan`, async () => {
    await seed(3000, 'many');
    const admin = await makeAdmin();
    const { env } = scope();
    const get = () => call('GET', '/admin/redis-dashboard', { env, token: admin.token, headers: { accept: 'application/json' } });
    await get(); // the isolate's first request on this Redis: it reconciles (nothing it reads is trusted yet)
    await get(); // the session is proven in Postgres and cached
    // as its TTL would, long after the isolate's last load (which readers at the same version share for a moment)
    await redis.del(keys.dashboard);
    await redis.incr(keys.cacheVersion(keys.dashboard));
    const uncached = await get();
    expect(uncached.status).toBe(200);
    expect(uncached.body.cache).toMatchObject({ truncated: true, scanned_keys: expect.any(Number) });
    expect(uncached.body.cache.scanned_keys).toBeGreaterThanOrEqual(MAX_PAGES * SCAN_COUNT * 0.9);
    expect(Number(uncached.headers.get('x-redis-round-trips'))).toBeLessThanOrEqual(2 + MAX_PAGES);
    expect(Number(uncached.headers.get('x-redis-round-trips'))).toBeGreaterThanOrEqual(3);
    const cached = await get();
    expect(cached.headers.get('x-redis-round-trips')).toBe('1');
    expect(cached.body.generated_at).toBe(uncached.body.generated_at);
  });
});
