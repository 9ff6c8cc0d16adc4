// Accounts and sessions: register, login, logout, /auth/me.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { makeUser, sql, unique } from '../helpers/fixtures.ts';

const email = () => `${unique('auth')}@parkedge.test`;

describe('POST /auth/register', () => {
  it('creates a user (never an admin) and signs them in', async () => {
    const address = email();
    const res = await call('POST', '/auth/register', { body: { email: address, password: 'long-enough', name: ' Asha ', vehicle_plate: 'ka-01 ab 1234' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: address, name: 'Asha', vehicle_plate: 'KA01AB1234', role: 'user' });
    expect(res.body.user).not.toHaveProperty('password_hash');
    expect(res.body.token).toMatch(/^pe_\d+_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(res.body.expires_at) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    const me = await call('GET', '/auth/me', { token: res.body.token });
    expect(me.body.id).toBe(res.body.user.id);
  });

  it('stores only a hash of the token and a salted slow hash of the password', async () => {
    const res = await call('POST', '/auth/register', { body: { email: email(), password: 'long-enough', name: 'H' } });
    const [row] = await sql`SELECT u.password_hash, s.token_hash FROM users u JOIN sessions s ON s.user_id = u.id WHERE u.id = ${res.body.user.id}`;
    expect(row!.password_hash).toMatch(/^pbkdf2-sha256\$100000\$/);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.token).not.toContain(row!.token_hash);
  });

  it('refuses an email that is taken, whatever its case', async () => {
    const address = email();
    expect((await call('POST', '/auth/register', { body: { email: address, password: 'long-enough', name: 'A' } })).status).toBe(201);
    const again = await call('POST', '/auth/register', { body: { email: address.toUpperCase(), password: 'long-enough', name: 'B' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('answers 422 with every bad field', async () => {
    const res = await call('POST', '/auth/register', { body: { email: 'not-an-email', password: 'short', name: '', role: 'admin' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'name']));
    expect(JSON.stringify(res.body.error.details)).toMatch(/role/);
  });

  it('refuses control characters in text with 422, never a 500', async () => {
    const res = await call('POST', '/auth/register', { body: { email: email(), password: 'long-enough', name: 'A\u0000B' } });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].field).toBe('name');
  });

  it('answers 400 invalid_json to a body that is not JSON, 415 to another media type, 413 over 64 KiB', async () => {
    const bad = await call('POST', '/auth/register', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
    const form = await call('POST', '/auth/register', { rawBody: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported_media_type');
    const huge = await call('POST', '/auth/register', { body: { email: email(), password: 'x'.repeat(70_000), name: 'A' } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('answers 400 invalid_form, as documented, to a dashboard form whose multipart body cannot be read', async () => {
    // Found by npm run chaos: the form routes answered this with invalid_json ("not valid JSON"), undocumented there.
    const broken = { rawBody: 'csrf=x&csrf=', headers: { 'content-type': 'multipart/form-data; boundary=x' } };
    for (const path of ['/admin/sign-in', '/admin/sign-out']) {
      const res = await call('POST', path, broken);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe('invalid_form');
    }
  });

  it('answers 413 to a body over 64 KiB and 422 to a lone surrogate on a route that takes no body, as its documentation says (both come before routing)', async () => {
    // Found by npm run chaos: the document listed 413 only for routes with a body. call() holds every answer to it.
    const user = await makeUser();
    const huge = await call('POST', '/auth/logout', { token: user.token, body: { padding: 'x'.repeat(70_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const lone = await call('POST', '/auth/logout', { token: user.token, rawBody: '"\\ud800"', headers: { 'content-type': 'application/json' } });
    expect(lone.status).toBe(422);
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200);
  });
});

describe('POST /auth/login', () => {
  it('signs in with the right password, any email case, and issues a new token', async () => {
    const user = await makeUser();
    const res = await call('POST', '/auth/login', { body: { email: user.email.toUpperCase(), password: user.password } });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
    expect(res.body.token).not.toBe(user.token);
    expect((await call('GET', '/auth/me', { token: res.body.token })).status).toBe(200);
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    const user = await makeUser();
    const wrong = await call('POST', '/auth/login', { body: { email: user.email, password: 'not-the-password' } });
    const unknown = await call('POST', '/auth/login', { body: { email: email(), password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');
  });

  it('refuses the 11th failure in 15 minutes from one IP for one email with 429 and Retry-After', async () => {
    const user = await makeUser();
    const ip = '192.0.2.77';
    for (let i = 0; i < 10; i++) {
      const res = await call('POST', '/auth/login', { ip, body: { email: user.email, password: 'wrong-password' } });
      expect(res.status).toBe(401);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(9 - i));
    }
    const blocked = await call('POST', '/auth/login', { ip, body: { email: user.email, password: user.password } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.headers.get('ratelimit-limit')).toBe('10');
    // Another IP, or another email from this IP, is not affected.
    expect((await call('POST', '/auth/login', { ip: '192.0.2.78', body: { email: user.email, password: user.password } })).status).toBe(200);
  });
});

it('counts failed sign-ins sent in parallel: no more than the limit get through', async () => {
  const user = await makeUser();
  const env = { ...testEnv, LOGIN_FAILURES_PER_15_MIN: '3' };
  const ip = '192.0.2.91';
  const results = await Promise.all(Array.from({ length: 12 }, () => call('POST', '/auth/login', { env, ip, body: { email: user.email, password: 'wrong-password' } })));
  expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(3);
  expect(results.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(9);
});

describe('POST /auth/logout', () => {
  it('ends that token for good, and only that one', async () => {
    const user = await makeUser();
    const second = (await call('POST', '/auth/login', { body: { email: user.email, password: user.password } })).body.token;
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200); // cached now
    expect((await call('POST', '/auth/logout', { token: user.token })).status).toBe(204);
    const after = await call('GET', '/auth/me', { token: user.token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    expect((await call('POST', '/auth/logout', { token: user.token })).status).toBe(401);
    expect((await call('GET', '/auth/me', { token: second })).status).toBe(200);
  });
});

describe('GET /auth/me', () => {
  it('refuses no token, a malformed one, an unknown one and one whose user id was swapped', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const secret = user.token.replace(/^pe_\d+_/, '');
    for (const token of [undefined, 'garbage', `pe_${user.id}_${'A'.repeat(43)}`, `pe_${other.id}_${secret}`]) {
      const res = await call('GET', '/auth/me', token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await call('GET', '/auth/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('refuses a session that expired', async () => {
    const user = await makeUser();
    await sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${user.id}`;
    // The cached session map keeps each session's expiry too, so a cached copy cannot outlive it.
    const res = await call('GET', '/auth/me', { token: user.token, env: { ...testEnv } });
    expect(res.status).toBe(401);
  });
});
