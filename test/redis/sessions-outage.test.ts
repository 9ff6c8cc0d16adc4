// Logout is final: a token ended while Redis was down is refused then, and after Redis comes back with the
// stale session it still holds.
import { expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { makeUser, redisClient } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

const COOLDOWN_MS = 300;

it('a session ended while Redis was down stays ended when Redis returns', async () => {
  const user = await makeUser();
  const other = (await call('POST', '/auth/login', { body: { email: user.email, password: user.password } })).body.token;
  const scope = tagged();
  const env = { ...scope.env, REDIS_COOLDOWN_MS: String(COOLDOWN_MS) };
  expect((await call('GET', '/auth/me', { env, token: user.token })).status).toBe(200);
  expect((await call('GET', '/auth/me', { env, token: other })).status).toBe(200);
  const stale = await redisClient().get<string>(`user_session:${user.id}`);
  expect(stale).toContain(':'); // both sessions are cached

  await scope.configure('redis', { fault: 'refuse' });
  expect((await call('POST', '/auth/logout', { env, token: user.token })).status).toBe(204);
  expect((await call('GET', '/auth/me', { env, token: user.token })).status).toBe(401);
  expect((await call('GET', '/auth/me', { env, token: other })).status).toBe(200); // Postgres decides meanwhile

  // Redis is back, still holding the session map from before the logout.
  await scope.configure('redis', { fault: 'none' });
  expect(await redisClient().get<string>(`user_session:${user.id}`)).toBe(stale);
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
  for (let i = 0; i < 3; i++) {
    const res = await call('GET', '/auth/me', { env, token: user.token });
    expect(res.status).toBe(401);
  }
  expect((await call('GET', '/auth/me', { env, token: other })).status).toBe(200);
  expect(await redisClient().get<string>(`user_session:${user.id}`)).not.toBe(stale);
});

it('sign-in and authenticated requests work with Redis down', async () => {
  const user = await makeUser();
  const env = { ...tagged().env, UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1' };
  const login = await call('POST', '/auth/login', { env, body: { email: user.email, password: user.password } });
  expect(login.status).toBe(200);
  expect((await call('GET', '/auth/me', { env, token: login.body.token })).status).toBe(200);
  expect((await call('POST', '/auth/logout', { env, token: login.body.token })).status).toBe(204);
  expect((await call('GET', '/auth/me', { token: login.body.token })).status).toBe(401);
});
