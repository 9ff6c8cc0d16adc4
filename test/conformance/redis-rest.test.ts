// The Upstash-compatible stand-in, driven by the real @upstash/redis client from inside workerd.
import { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { tagged } from '../helpers/stand-ins.ts';

// This file's own tag keeps its request counts apart from other test files running meanwhile.
const scope = tagged();
const requestsServed = () => scope.requestsServed('redis');
const url = scope.env.UPSTASH_REDIS_REST_URL!;
const token = scope.env.UPSTASH_REDIS_REST_TOKEN!;
const redis = new Redis({ url, token, enableTelemetry: false });
const rawRedis = new Redis({ url, token, enableTelemetry: false, automaticDeserialization: false });
const unique = () => `conf:${crypto.randomUUID()}`;

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('data types through the real client', () => {
  it('stores strings, integers and JSON values', async () => {
    const k = unique();
    expect(await redis.set(`${k}:s`, 'hello')).toBe('OK');
    expect(await redis.get(`${k}:s`)).toBe('hello');
    expect(await redis.incrby(`${k}:n`, 41)).toBe(41);
    expect(await redis.incr(`${k}:n`)).toBe(42);
    await redis.set(`${k}:j`, { lot: 7, tags: ['a', 'b'], nested: { ok: true } });
    expect(await redis.get(`${k}:j`)).toEqual({ lot: 7, tags: ['a', 'b'], nested: { ok: true } });
    expect(await redis.get(`${k}:missing`)).toBeNull();
  });

  it('keeps unicode and binary-looking strings byte for byte', async () => {
    const k = unique();
    const values = ['héllo wörld ✓ 🚗', 'OK', 'PONG', 'T0s=', '\u0000\u0001\u00ff', '0x00ff', '007', '{"not": json', ' padded ', ''];
    for (const [i, value] of values.entries()) {
      await rawRedis.set(`${k}:${i}`, value);
      expect(await rawRedis.get(`${k}:${i}`)).toBe(value);
    }
  });

  it('handles hashes, sets, sorted sets and lists', async () => {
    const k = unique();
    await redis.hset(`${k}:h`, { a: '1', b: 'two' });
    expect(await redis.hgetall(`${k}:h`)).toEqual({ a: 1, b: 'two' });
    expect(await redis.hincrby(`${k}:h`, 'a', 5)).toBe(6);
    await redis.sadd(`${k}:s`, 'x', 'y', 'x');
    expect((await redis.smembers(`${k}:s`)).sort()).toEqual(['x', 'y']);
    expect(await redis.sismember(`${k}:s`, 'y')).toBe(1);
    await redis.zadd(`${k}:z`, { score: 2, member: 'b' }, { score: 1, member: 'a' });
    expect(await redis.zrange(`${k}:z`, 0, -1, { withScores: true })).toEqual(['a', 1, 'b', 2]);
    await redis.rpush(`${k}:l`, 'one', 'two', 'three');
    expect(await redis.lrange(`${k}:l`, 0, -1)).toEqual(['one', 'two', 'three']);
    expect(await redis.lpop(`${k}:l`)).toBe('one');
  });

  it('sets and reads TTLs', async () => {
    const k = unique();
    await redis.set(k, 'v', { ex: 100 });
    const left = await redis.ttl(k);
    expect(left).toBeGreaterThan(95);
    expect(left).toBeLessThanOrEqual(100);
    await redis.persist(k);
    expect(await redis.ttl(k)).toBe(-1);
    expect(await redis.ttl(`${k}:none`)).toBe(-2);
  });

  it('iterates keys with SCAN', async () => {
    const k = unique();
    await Promise.all(Array.from({ length: 25 }, (_, i) => redis.set(`${k}:${i}`, i)));
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, { match: `${k}:*`, count: 10 });
      cursor = String(next);
      batch.forEach((key) => found.add(key));
    } while (cursor !== '0');
    expect(found.size).toBe(25);
  });
});

describe('batching', () => {
  it('runs a pipeline in one request, keeping per-command errors', async () => {
    const k = unique();
    const before = await requestsServed();
    const results = await redis.pipeline().set(k, 'text').incr(k).get(k).exec({ keepErrors: true });
    expect(await requestsServed()).toBe(before + 1);
    expect(results[0]!.result).toBe('OK');
    expect(results[1]!.error).toMatch(/not an integer/);
    expect(results[2]!.result).toBe('text');
  });

  it('auto-pipelines commands issued together', async () => {
    const auto = new Redis({ url, token, enableAutoPipelining: true, enableTelemetry: false });
    const k = unique();
    const before = await requestsServed();
    await Promise.all([auto.incr(`${k}:a`), auto.incr(`${k}:b`), auto.incr(`${k}:c`)]);
    expect(await requestsServed()).toBe(before + 1);
    expect(await redis.mget(`${k}:a`, `${k}:b`, `${k}:c`)).toEqual([1, 1, 1]);
  });

  it('runs MULTI/EXEC transactions that never interleave with each other', async () => {
    const runs = Array.from({ length: 20 }, async (_, i) => {
      const list = `${unique()}:shared`;
      const shared = 'conf:tx:shared-list';
      const tx = redis.multi();
      tx.del(shared);
      tx.rpush(shared, `${i}-a`);
      tx.rpush(shared, `${i}-b`);
      tx.lrange(shared, 0, -1);
      tx.set(list, 'done');
      const results = await tx.exec();
      return { i, items: results[3] as string[] };
    });
    for (const { i, items } of await Promise.all(runs)) expect(items).toEqual([`${i}-a`, `${i}-b`]);
  });
});

describe('scripts', () => {
  const script = `#!lua flags=allow-key-locking\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;

  it('accepts the Upstash-only shebang flag in EVAL, EVALSHA and SCRIPT LOAD, one request each', async () => {
    const k = unique();
    const before = await requestsServed();
    expect(await redis.eval(script, [k], ['2'])).toBe(2);
    expect(await redis.evalsha(await sha1(script), [k], ['3'])).toBe(5);
    expect(await requestsServed()).toBe(before + 2);
    expect(await redis.scriptLoad(script)).toBe(await sha1(script));
    expect(await redis.scriptExists(await sha1(script))).toEqual([1]);
  });

  it('answers NOSCRIPT for an unknown SHA, as Redis does', async () => {
    await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });
});

describe('protocol details', () => {
  it('base64-encodes every string of the reply when asked, OK and PONG included', async () => {
    const res = await post('/', '["PING"]', { 'upstash-encoding': 'base64' });
    expect(res.body).toEqual({ result: btoa('PONG') });
    const set = await post('/', JSON.stringify(['SET', unique(), 'v']), { 'upstash-encoding': 'base64' });
    expect(set.body).toEqual({ result: btoa('OK') });
    const plain = await post('/', '["PING"]');
    expect(plain.body).toEqual({ result: 'PONG' });
  });

  it('puts an upstash-sync-token header on every reply', async () => {
    const a = await post('/', '["PING"]');
    const b = await post('/pipeline', '[["PING"],["PING"]]');
    expect(a.headers.get('upstash-sync-token')).toBeTruthy();
    expect(b.headers.get('upstash-sync-token')).toBeTruthy();
    expect(a.headers.get('upstash-sync-token')).not.toBe(b.headers.get('upstash-sync-token'));
  });

  it('reports a Redis error as HTTP 400 {error}, and the client throws it', async () => {
    const k = unique();
    await redis.set(k, 'text');
    await expect(redis.incr(k)).rejects.toThrow(/ERR value is not an integer/);
    const res = await post('/', JSON.stringify(['NOSUCHCOMMAND']));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/unknown command/i);
  });

  it('refuses a wrong token with 401', async () => {
    const wrong = new Redis({ url, token: 'not-the-token', enableTelemetry: false });
    await expect(wrong.ping()).rejects.toThrow(/Unauthorized/);
    const res = await fetch(url, { method: 'POST', body: '["PING"]' });
    expect(res.status).toBe(401);
  });

  it('refuses malformed bodies, empty commands and connection-state commands with a clear 400', async () => {
    expect((await post('/', '{not json')).status).toBe(400);
    expect((await post('/', '[]')).body.error).toMatch(/empty command/);
    expect((await post('/pipeline', '[]')).status).toBe(400);
    expect((await post('/pipeline', '[["PING"], []]')).status).toBe(400);
    expect((await post('/', '["GET", {"a": 1}]')).status).toBe(400);
    for (const command of [['SELECT', '2'], ['MULTI'], ['SUBSCRIBE', 'x'], ['MONITOR']]) {
      const res = await post('/', JSON.stringify(command));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/not supported/);
    }
    // The shared connection is still in step afterwards.
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.echo('still in step')).toBe('still in step');
  });

  it('aborts a transaction whose command cannot be queued, with 400', async () => {
    const res = await post('/multi-exec', JSON.stringify([['SET', unique(), 'v'], ['GET']]));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/EXECABORT|wrong number/i);
  });

  it('counts the requests it serves, over HTTP', async () => {
    const before = await requestsServed();
    await redis.ping();
    await redis.ping();
    expect(await requestsServed()).toBe(before + 2);
  });
});
