import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';

describe('GET /health/redis', () => {
  it('answers 200 with a PING latency and the stats of the Redis behind the endpoint', async () => {
    const res = await call('GET', '/health/redis');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.latency_ms).toBeGreaterThanOrEqual(0);
    expect(res.body.redis.version).toMatch(/^\d+\.\d+/);
    expect(res.body.redis.uptime_seconds).toBeGreaterThan(0);
    expect(res.body.redis.keys).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 quickly when nothing listens at the Redis URL', async () => {
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL };
    const res = await call('GET', '/health/redis', { env });
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
    expect(res.body.error).toBeTruthy();
    expect(res.elapsedMs).toBeLessThan(2000);
  });

  it('answers 503 within 2 s when Redis accepts the connection and never answers', async () => {
    const env = { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.HANGING_URL };
    const res = await call('GET', '/health/redis', { env });
    expect(res.status).toBe(503);
    expect(res.elapsedMs).toBeLessThan(2000);
  });
});

describe('GET /health', () => {
  it('reports both parts up', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', redis: { status: 'ok' }, postgres: { status: 'ok' } });
  });

  it('names Redis as the part that is down, and stays 200 because the API still works', async () => {
    const res = await call('GET', '/health', { env: { ...testEnv, UPSTASH_REDIS_REST_URL: testEnv.DEAD_URL } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'degraded', redis: { status: 'unavailable' }, postgres: { status: 'ok' } });
  });

  it('names PostgreSQL as the part that is down with 503', async () => {
    const env = { ...testEnv, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' };
    const res = await call('GET', '/health', { env });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'down', postgres: { status: 'unavailable' } });
  });
});

describe('every response', () => {
  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const ok = await call('GET', '/health', { headers: { 'x-request-id': 'abc.DEF_123-x' } });
    expect(ok.headers.get('x-request-id')).toBe('abc.DEF_123-x');
    const bad = await call('GET', '/health', { headers: { 'x-request-id': 'has spaces!' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,128}$/);
    expect(bad.headers.get('x-request-id')).not.toBe('has spaces!');
  });

  it('answers an unknown route with the JSON error envelope', async () => {
    const res = await call('GET', '/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});
