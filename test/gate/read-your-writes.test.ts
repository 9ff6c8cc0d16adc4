// Read your writes across requests: Upstash may answer a read from a replica, unless the request carries the
// `upstash-sync-token` of the writes it must see. The isolate keeps the newest token it was given, so the request
// after a logout (or any invalidation) carries the token of the logout's last answer, whoever sends it.
import { describe, expect, it } from 'vitest';
import { call, testEnv } from '../helpers/http.ts';
import { makeUser } from '../helpers/fixtures.ts';
import { tagged } from '../helpers/stand-ins.ts';

async function tokensReceived(tag: string): Promise<string[]> {
  const res = await fetch(`${testEnv.UPSTASH_REDIS_REST_URL}/__control/stats?tag=${tag}`, {
    headers: { authorization: `Bearer ${testEnv.UPSTASH_REDIS_REST_TOKEN}` },
  });
  return ((await res.json()) as { sync_tokens: string[] }).sync_tokens;
}

describe('read your writes across requests', () => {
  it('the request after a logout carries the sync token of its writes, from another caller too', async () => {
    const user = await makeUser();
    const during = tagged();
    const after = tagged();
    await call('GET', '/auth/me', { token: user.token }); // caches the session
    expect((await call('POST', '/auth/logout', { env: during.env, token: user.token })).status).toBe(204);
    const written = (await tokensReceived(during.tag)).map(Number);
    expect(written.length).toBeGreaterThan(0);

    // The next request of this isolate (another caller's) reads with a token newer than any the logout sent.
    await call('GET', '/parking-lots', { env: after.env });
    const [first] = await tokensReceived(after.tag);
    expect(first).not.toBe('');
    expect(Number(first)).toBeGreaterThan(Math.max(...written));
    expect((await call('GET', '/auth/me', { env: after.env, token: user.token })).status).toBe(401);
  });
});
