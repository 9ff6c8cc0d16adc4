// A wrong setting: the health checks name it (503 `misconfigured`), every other route answers the contract's
// envelope with a generic 503 `service_misconfigured`, never a 500; the reason goes to the log once.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';

const tooHigh = { ...testEnv, RATE_LIMIT_PER_HOUR: '10000000' };
const reason = 'RATE_LIMIT_PER_HOUR must be an integer from 1 to 1000000';

afterEach(() => vi.restoreAllMocks());

describe('the health checks', () => {
  for (const path of ['/health', '/health/redis']) {
    it(`${path} answers 503 misconfigured, naming the setting by its binding`, async () => {
      const res = await call('GET', path, { env: tooHigh });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'misconfigured', error: reason, problems: [reason] });
    });
  }

  it('name every bad setting, and never the value of one (some are secrets)', async () => {
    const env = { ...testEnv, DATABASE_URL: 'mysql://app:s3cret-password@db.example/app', REDIS_TIMEOUT_MS: 'soon', UPSTASH_REDIS_REST_TOKEN: '' };
    const res = await call('GET', '/health', { env });
    expect(res.status).toBe(503);
    expect(res.body.problems).toEqual([
      'DATABASE_URL must be a postgres:// connection string',
      'REDIS_TIMEOUT_MS must be an integer from 50 to 10000',
      'UPSTASH_REDIS_REST_TOKEN must be set when UPSTASH_REDIS_REST_URL is',
    ]);
    expect(res.text).not.toContain('s3cret');
    expect(res.text).not.toContain('soon');
  });

  it('name a bad live-stream bound', async () => {
    const env = { ...testEnv, LIVE_IDLE_MS: '10', LIVE_MAX_PER_IP: '0' };
    const res = await call('GET', '/health', { env });
    expect(res.status).toBe(503);
    expect(res.body.problems).toEqual(['LIVE_MAX_PER_IP must be an integer from 1 to 32768', 'LIVE_IDLE_MS must be an integer from 1000 to 86400000']);
  });

  it('document the misconfigured answer in the OpenAPI document', async () => {
    const { body } = await call('GET', '/openapi.json');
    for (const path of ['/health', '/health/redis']) {
      const response = body.paths[path].get.responses['503'];
      expect(response.description).toMatch(/misconfigured/);
      expect(JSON.stringify(response.content)).toContain('#/components/schemas/Misconfigured');
    }
    expect(body.components.schemas.Misconfigured.properties.status).toMatchObject({ enum: ['misconfigured'] });
  });
});

describe('every other route', () => {
  it('answers 503 service_misconfigured in the error envelope, with a message that names nothing', async () => {
    const requests = [
      call('GET', '/parking-lots', { env: tooHigh }),
      call('POST', '/auth/login', { env: tooHigh, body: { email: 'someone@parkedge.test', password: 'whatever-it-is' } }),
      call('GET', '/admin/redis-dashboard', { env: tooHigh, headers: { accept: 'text/html' } }),
      call('GET', '/no/such/route', { env: tooHigh }),
    ];
    for (const res of await Promise.all(requests)) {
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ error: { code: 'service_misconfigured', message: expect.any(String) } });
      expect(res.body.error.message).not.toMatch(/RATE_LIMIT|10000000/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
  });

  it('logs the reason once per isolate, not once per request', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const env = { ...testEnv, LOGIN_FAILURES_PER_15_MIN: '0' };
    for (let i = 0; i < 3; i++) expect((await call('GET', '/parking-lots', { env })).status).toBe(503);
    expect((await call('GET', '/health', { env })).status).toBe(503);
    const lines = errors.mock.calls.map((args) => String(args[0])).filter((line) => line.includes('LOGIN_FAILURES_PER_15_MIN'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', problems: ['LOGIN_FAILURES_PER_15_MIN must be an integer from 1 to 10000'] });
  });
});
