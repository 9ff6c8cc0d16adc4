// What Upstash refuses, refused the same way by the Upstash stand-in, through the real @upstash/redis client
// inside workerd. Sources: upstash/docs redis/overall/billing.mdx (limits per plan),
// redis/troubleshooting/max_request_size_exceeded.mdx, redis/features/key-locking.mdx.
import { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { tagged } from '../helpers/stand-ins.ts';

const scope = tagged();
const redis = new Redis({ url: scope.env.UPSTASH_REDIS_REST_URL!, token: scope.env.UPSTASH_REDIS_REST_TOKEN!, enableTelemetry: false, automaticDeserialization: false, enableAutoPipelining: false });
const unique = () => `conf:${crypto.randomUUID()}`;

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

describe('max request size (10 MB on the Free and Pay-as-you-go plans)', () => {
  const MAX = 10_000_000;
  // Without auto-pipelining the client posts ["set", key, value] as JSON to /.
  const valueFilling = (key: string, bytes: number) => 'x'.repeat(bytes - JSON.stringify(['set', key, '']).length);

  it('takes a request of exactly 10 MB', async () => {
    const key = unique();
    expect(await redis.set(key, valueFilling(key, MAX))).toBe('OK');
    expect(await redis.strlen(key)).toBe(MAX - JSON.stringify(['set', key, '']).length);
    await redis.del(key);
  });

  it('refuses one byte more with "ERR max request size exceeded", and stores nothing', async () => {
    const key = unique();
    await expect(redis.set(key, valueFilling(key, MAX + 1))).rejects.toThrow(/^ERR max request size exceeded, command was/);
    expect(await redis.exists(key)).toBe(0);
  });
});

describe("scripts flagged allow-key-locking touch only the keys passed in KEYS", () => {
  const undeclared = (key: string) => new RegExp(`^ERR Dynamic keys are not allowed in Lua scripts when 'allow-key-locking' flag is set\\. Key was: ${key}\\b`);
  const flagged = (body: string) => `#!lua flags=allow-key-locking\n${body}`;

  it('refuses redis.call on a key built from ARGV, and does not run it', async () => {
    const [declared, other] = [unique(), unique()];
    const script = flagged(`redis.call('SET', KEYS[1], 'ran')\nreturn redis.call('SET', ARGV[1], 'written')`);
    await expect(redis.eval(script, [declared], [other])).rejects.toThrow(undeclared(other));
    expect(await redis.exists(other)).toBe(0);
  });

  it('refuses the same script run by its SHA, still in one request', async () => {
    const [declared, other] = [unique(), unique()];
    const script = flagged(`return redis.call('GET', ARGV[1])`);
    await expect(redis.eval(script, [declared], [other])).rejects.toThrow(undeclared(other));
    const sha = await sha1(script);
    const { result: refused, redis: requests } = await scope.count(() => redis.evalsha(sha, [declared], [other]).catch((e: Error) => e));
    expect((refused as Error).message).toMatch(undeclared(other));
    expect(requests).toBe(1);
  });

  it('hands redis.pcall the refusal as an error reply the script can read', async () => {
    const other = unique();
    const script = flagged(`local reply = redis.pcall('INCR', ARGV[1])\nreturn type(reply) == 'table' and reply.err or 'ran'`);
    expect(await redis.eval(script, [unique()], [other])).toMatch(undeclared(other));
    expect(await redis.exists(other)).toBe(0);
  });

  it('refuses a multi-key command or a movable-keys command with one undeclared key', async () => {
    const [a, b] = [unique(), unique()];
    await expect(redis.eval(flagged(`return redis.call('MSET', KEYS[1], 'v', ARGV[1], 'v')`), [a], [b])).rejects.toThrow(undeclared(b));
    await expect(redis.eval(flagged(`return redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], ARGV[1])`), [a], [b])).rejects.toThrow(undeclared(b));
    expect(await redis.exists(a, b)).toBe(0);
  });

  it('runs keys computed inside the script when they are among KEYS, and keeps the rest of redis.*', async () => {
    const suffix = crypto.randomUUID();
    const key = `conf:${suffix}`;
    const script = flagged(`redis.call('SET', 'conf:' .. ARGV[1], ARGV[2])\nreturn {redis.call('GET', KEYS[1]), redis.sha1hex('')}`);
    expect(await redis.eval(script, [key], [suffix, 'v'])).toEqual(['v', 'da39a3ee5e6b4b0d3255bfef95601890afd80709']);
  });

  it('leaves scripts without the flag free to touch any key', async () => {
    const other = unique();
    expect(await redis.eval(`return redis.call('SET', ARGV[1], 'v')`, [], [other])).toBe('OK');
    expect(await redis.get(other)).toBe('v');
  });
});
