// What an uptime monitor costs: every poll of the health checks at most one Redis command, counted by the
// redis-server of this file's own (INFO commandstats counts every command Redis runs), and the polls of an
// isolate within a second share one. /health/redis never touches PostgreSQL.
import { describe, expect, it } from 'vitest';
import { call, testEnv, type CallResult } from '../helpers/http.ts';
import { tagged } from '../helpers/stand-ins.ts';

const url = testEnv.HEALTH_REDIS_URL;

/** Calls per command name since the server started (`INFO commandstats`). */
async function commandStats(): Promise<Map<string, number>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` },
    body: JSON.stringify(['INFO', 'commandstats']),
  });
  const { result } = (await res.json()) as { result: string };
  const stats = new Map<string, number>();
  for (const match of result.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats.set(match[1]!.toUpperCase(), Number(match[2]));
  return stats;
}

/** The commands Redis ran during `work`, by name (the INFO that measures them left out). */
async function commandsDuring(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await commandStats();
  await work();
  const after = await commandStats();
  const ran: Record<string, number> = {};
  for (const [name, calls] of after) {
    const n = calls - (before.get(name) ?? 0) - (name === 'INFO' ? 1 : 0);
    if (n > 0) ran[name] = n;
  }
  return ran;
}

const control = (path: string, init?: RequestInit) =>
  fetch(`${url}/__control/${path}`, { ...init, headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` } });

/**
 * A test's own scope (tag) on this file's Redis: its polls share nothing with other tests', and the stand-in
 * in front of this Redis counts its requests and injects its faults.
 */
function scope() {
  const s = tagged();
  const redisRequests = async () => ((await (await control(`stats?tag=${s.tag}`)).json()) as { requests: number }).requests;
  return {
    tag: s.tag,
    env: { ...s.env, UPSTASH_REDIS_REST_URL: url },
    async count(work: () => Promise<unknown>) {
      const [redis, neon] = [await redisRequests(), await s.requestsServed('neon')];
      await work();
      return { redis: (await redisRequests()) - redis, neon: (await s.requestsServed('neon')) - neon };
    },
    async fault(fault: 'none' | 'refuse') {
      const res = await control('config', { method: 'POST', body: JSON.stringify({ tag: s.tag, fault }) });
      expect(res.status).toBe(200);
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /health/redis', () => {
  it('costs one Redis command (INFO) and no PostgreSQL query, and still reports the stats', async () => {
    const s = scope();
    let res!: CallResult;
    const ran = await commandsDuring(async () => {
      const counted = await s.count(async () => (res = await call('GET', '/health/redis', { env: s.env })));
      expect(counted.redis).toBe(1);
      expect(counted.neon).toBe(0);
    });
    expect(ran).toEqual({ INFO: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', redis: { version: expect.stringMatching(/^\d+\.\d+/), keys: expect.any(Number) } });
    expect(res.body.redis.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(res.body.redis.used_memory_bytes).toBeGreaterThan(0);
    expect(res.body.redis.connected_clients).toBeGreaterThan(0);
  });

  it('counts the keys of the database from INFO alone', async () => {
    const s = scope();
    const key = `health-cost:${s.tag}`;
    const before = (await call('GET', '/health/redis', { env: s.env })).body.redis.keys as number;
    await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` }, body: JSON.stringify(['SET', key, '1', 'EX', '60']) });
    await sleep(1100); // past the second in which polls share an answer
    const after = (await call('GET', '/health/redis', { env: s.env })).body.redis.keys as number;
    expect(after).toBe(before + 1);
  });

  it('answers concurrent polls with one command, and the polls right after with the same answer', async () => {
    const s = scope();
    let answers: CallResult[] = [];
    const ran = await commandsDuring(async () => {
      const counted = await s.count(async () => {
        answers = await Promise.all(Array.from({ length: 8 }, () => call('GET', '/health/redis', { env: s.env })));
        answers.push(await call('GET', '/health/redis', { env: s.env }));
      });
      expect(counted.redis).toBe(1);
    });
    expect(ran).toEqual({ INFO: 1 });
    expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
    expect(new Set(answers.map((a) => a.body.checked_at)).size).toBe(1);
  });

  it('asks Redis again for a poll two seconds later', async () => {
    const s = scope();
    const first = await call('GET', '/health/redis', { env: s.env });
    await sleep(2000);
    let second!: CallResult;
    const ran = await commandsDuring(async () => (second = await call('GET', '/health/redis', { env: s.env })));
    expect(ran).toEqual({ INFO: 1 });
    expect(second.status).toBe(200);
    expect(Date.parse(second.body.checked_at)).toBeGreaterThan(Date.parse(first.body.checked_at));
  });

  it('answers every concurrent poll within 2 s when Redis hangs, and reports it', async () => {
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.HANGING_URL };
    const polls = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/health/redis', { env })));
    for (const poll of polls) {
      expect(poll.status).toBe(503);
      expect(poll.body.status).toBe('unavailable');
      expect(poll.elapsedMs).toBeLessThan(2000);
    }
  });

  it("opens the circuit for the isolate's requests when Redis fails, and closes it when Redis answers again", async () => {
    const s = scope();
    const env = { ...s.env, REDIS_COOLDOWN_MS: '60000' };
    await s.fault('refuse');
    expect((await call('GET', '/health/redis', { env })).status).toBe(503);
    const skipped = await call('GET', '/parking-lots', { env });
    expect(skipped.status).toBe(200);
    expect(skipped.headers.get('x-redis-round-trips')).toBe('0'); // the circuit is open: Redis is not even tried
    await s.fault('none');
    await sleep(1100);
    expect((await call('GET', '/health/redis', { env })).status).toBe(200);
    const served = await call('GET', '/parking-lots', { env });
    expect(Number(served.headers.get('x-redis-round-trips'))).toBeGreaterThan(0);
  });
});

describe('GET /health', () => {
  it('shares its PostgreSQL probe: concurrent polls and the ones right after cost one query and one Redis command', async () => {
    const s = scope();
    let answers: CallResult[] = [];
    const ran = await commandsDuring(async () => {
      const counted = await s.count(async () => {
        answers = await Promise.all(Array.from({ length: 5 }, () => call('GET', '/health', { env: s.env })));
        answers.push(await call('GET', '/health', { env: s.env }));
      });
      expect(counted.neon).toBe(1);
      expect(counted.redis).toBe(1);
    });
    expect(ran).toEqual({ INFO: 1 });
    for (const answer of answers) expect(answer.body).toMatchObject({ status: 'ok', redis: { status: 'ok' }, postgres: { status: 'ok' } });
  });

  it('queries PostgreSQL again two seconds later', async () => {
    const s = scope();
    await call('GET', '/health', { env: s.env });
    await sleep(2000);
    const counted = await s.count(() => call('GET', '/health', { env: s.env }));
    expect(counted.neon).toBe(1);
  });
});
