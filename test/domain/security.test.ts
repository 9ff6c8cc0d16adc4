// Who may call what: every route of the contract × {anonymous, the user, another user, an admin}, with the
// status each must get. Cells that change state get fresh data of their own.
import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, makeAdmin, makeLot, makeUser, unique, uniquePlate, type TestUser } from '../helpers/fixtures.ts';

type Who = 'anonymous' | 'user' | 'other' | 'admin';
interface Request {
  method: string;
  path: string;
  body?: unknown;
  form?: Record<string, string>;
}
interface Row {
  route: string;
  /** Builds a fresh request; `owner` is the "user" column's account, whose resources the request touches. */
  request: (owner: TestUser) => Promise<Request>;
  expect: Record<Who, number>;
}

let admin: TestUser;
let user: TestUser;
let other: TestUser;
let sharedLotId: number;

beforeAll(async () => {
  [admin, user, other] = await Promise.all([makeAdmin(), makeUser(), makeUser()]);
  sharedLotId = (await makeLot(admin, { capacity: 50 })).id;
});

const lotBody = () => ({ name: unique('Lot '), address: '1 Main St', pin_code: '560001', price_per_hour_cents: 100, capacity: 2 });
const reservation = async (owner: TestUser, state: 'reserved' | 'parked') => {
  const r = (await book(owner, sharedLotId)).body;
  if (state === 'parked') await call('POST', `/reservations/${r.id}/park`, { token: owner.token });
  return r.id as number;
};

const everyone = (status: number) => ({ anonymous: status, user: status, other: status, admin: status });
const signedIn = (user: number, other: number, admin: number) => ({ anonymous: 401, user, other, admin });

const rows: Row[] = [
  { route: 'POST /auth/register', request: async () => ({ method: 'POST', path: '/auth/register', body: { email: `${unique('m')}@parkedge.test`, password: 'long-enough', name: 'M' } }), expect: everyone(201) },
  { route: 'POST /auth/login', request: async (o) => ({ method: 'POST', path: '/auth/login', body: { email: o.email, password: o.password } }), expect: everyone(200) },
  { route: 'GET /auth/me', request: async () => ({ method: 'GET', path: '/auth/me' }), expect: signedIn(200, 200, 200) },
  { route: 'GET /users', request: async () => ({ method: 'GET', path: '/users' }), expect: signedIn(403, 403, 200) },
  { route: 'POST /users', request: async () => ({ method: 'POST', path: '/users', body: { email: `${unique('m')}@parkedge.test`, password: 'long-enough', name: 'M' } }), expect: signedIn(403, 403, 201) },
  { route: 'GET /users/:id', request: async (o) => ({ method: 'GET', path: `/users/${o.id}` }), expect: signedIn(200, 403, 200) },
  { route: 'PATCH /users/:id', request: async (o) => ({ method: 'PATCH', path: `/users/${o.id}`, body: { name: 'Renamed' } }), expect: signedIn(200, 403, 200) },
  { route: 'DELETE /users/:id', request: async () => ({ method: 'DELETE', path: `/users/${(await makeUser()).id}` }), expect: signedIn(403, 403, 204) },
  { route: 'GET /parking-lots', request: async () => ({ method: 'GET', path: '/parking-lots' }), expect: everyone(200) },
  { route: 'GET /parking-lots/:id', request: async () => ({ method: 'GET', path: `/parking-lots/${sharedLotId}` }), expect: everyone(200) },
  { route: 'POST /parking-lots', request: async () => ({ method: 'POST', path: '/parking-lots', body: lotBody() }), expect: signedIn(403, 403, 201) },
  { route: 'PATCH /parking-lots/:id', request: async () => ({ method: 'PATCH', path: `/parking-lots/${sharedLotId}`, body: { address: '2 Main St' } }), expect: signedIn(403, 403, 200) },
  { route: 'DELETE /parking-lots/:id', request: async () => ({ method: 'DELETE', path: `/parking-lots/${(await makeLot(admin)).id}` }), expect: signedIn(403, 403, 204) },
  { route: 'GET /parking-lots/:id/spots', request: async () => ({ method: 'GET', path: `/parking-lots/${sharedLotId}/spots` }), expect: signedIn(403, 403, 200) },
  { route: 'POST /reservations', request: async () => ({ method: 'POST', path: '/reservations', body: { lot_id: sharedLotId, vehicle_plate: uniquePlate() } }), expect: signedIn(201, 201, 201) },
  { route: 'GET /reservations', request: async () => ({ method: 'GET', path: '/reservations' }), expect: signedIn(200, 200, 200) },
  { route: 'GET /reservations/:id', request: async (o) => ({ method: 'GET', path: `/reservations/${await reservation(o, 'reserved')}` }), expect: signedIn(200, 403, 200) },
  { route: 'POST /reservations/:id/park', request: async (o) => ({ method: 'POST', path: `/reservations/${await reservation(o, 'reserved')}/park` }), expect: signedIn(200, 403, 403) },
  { route: 'POST /reservations/:id/release', request: async (o) => ({ method: 'POST', path: `/reservations/${await reservation(o, 'parked')}/release` }), expect: signedIn(200, 403, 200) },
  { route: 'POST /reservations/:id/cancel', request: async (o) => ({ method: 'POST', path: `/reservations/${await reservation(o, 'reserved')}/cancel` }), expect: signedIn(200, 403, 200) },
  { route: 'GET /reports', request: async () => ({ method: 'GET', path: '/reports' }), expect: signedIn(403, 403, 200) },
  { route: 'GET /user-reports', request: async () => ({ method: 'GET', path: '/user-reports' }), expect: signedIn(200, 200, 200) },
  { route: 'GET /admin/redis-dashboard', request: async () => ({ method: 'GET', path: '/admin/redis-dashboard' }), expect: signedIn(403, 403, 200) },
  // The browser forms refuse anything without the CSRF cookie and token, whoever sends it.
  { route: 'POST /admin/sign-in', request: async (o) => ({ method: 'POST', path: '/admin/sign-in', form: { email: o.email, password: o.password } }), expect: everyone(403) },
  { route: 'POST /admin/sign-out', request: async () => ({ method: 'POST', path: '/admin/sign-out', form: { csrf: 'guessed' } }), expect: everyone(403) },
  { route: 'GET /health', request: async () => ({ method: 'GET', path: '/health' }), expect: everyone(200) },
  { route: 'GET /health/redis', request: async () => ({ method: 'GET', path: '/health/redis' }), expect: everyone(200) },
  { route: 'GET /openapi.json', request: async () => ({ method: 'GET', path: '/openapi.json' }), expect: everyone(200) },
  { route: 'GET /docs', request: async () => ({ method: 'GET', path: '/docs' }), expect: everyone(200) },
];

// The "user" column acts on its own resources; "other" is a second user acting on them; the admin too.
const actor = (who: Who): TestUser | null => ({ anonymous: null, user, other, admin })[who];

describe.each(rows)('$route', (row) => {
  it.each(['anonymous', 'user', 'other', 'admin'] as Who[])('%s', async (who) => {
    // Each cell works on resources of a fresh owner, so that the cells never disturb each other.
    const owner = who === 'user' ? user : await makeUser();
    const request = await row.request(who === 'user' ? user : owner);
    const caller = who === 'user' ? user : actor(who);
    const token = caller?.token;
    const form = request.form ? { rawBody: new URLSearchParams(request.form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {};
    const res = await call(request.method, request.path, { ...(token ? { token } : {}), ...(request.body === undefined ? {} : { body: request.body }), ...form });
    expect(res.status, `${row.route} as ${who}: ${res.text.slice(0, 200)}`).toBe(row.expect[who]);
    if (res.status >= 400 && !request.form) expect(res.body.error.code).toMatch(/^[a-z_]+$/);
  });
});

it.each(['user', 'other', 'admin'] as Who[])('POST /auth/logout as %s ends only that session', async (who) => {
  const caller = actor(who)!;
  const token = (await call('POST', '/auth/login', { body: { email: caller.email, password: caller.password } })).body.token;
  expect((await call('POST', '/auth/logout', { token })).status).toBe(204);
  expect((await call('POST', '/auth/logout', { token })).status).toBe(401);
  expect((await call('POST', '/auth/logout')).status).toBe(401);
  expect((await call('GET', '/auth/me', { token: caller.token })).status).toBe(200);
});
