// The corpus' own objects: an admin, a user with a reserved booking on a lot, so that requests with good
// credentials and good ids reach validation and the services. A request the Worker accepted may have
// used them up (a logout, a deletion, a step of the reservation): refresh() makes what is missing again.
import { call, newLot, newUser, uniquePlate } from '../fixtures.ts';
import type { Account, World } from '../world.ts';
import { LOT_ID, type FuzzRequest } from './requests.ts';

export interface Targets {
  admin: Account;
  user: Account;
  lotId: number;
  reservationId: number;
}

async function book(world: World, user: Account, lotId: number): Promise<number | null> {
  const res = await call<{ id: number }>(world.origin, 'POST', '/reservations', { token: user.token, body: { lot_id: lotId, vehicle_plate: uniquePlate('F') } });
  return res.status === 201 && res.body ? res.body.id : null;
}

export async function prepareTargets(world: World): Promise<Targets> {
  const user = await newUser(world, 'fuzz');
  const lotId = await newLot(world, 50, 'Fuzz Lot');
  const reservationId = await book(world, user, lotId);
  if (reservationId === null) throw new Error('the corpus could not book its reservation');
  return { admin: world.admin, user, lotId, reservationId };
}

const alive = async (world: World, token: string) => (await call(world.origin, 'GET', '/auth/me', { token })).status === 200;

export async function refresh(world: World, t: Targets): Promise<Targets> {
  let { admin, user, lotId, reservationId } = t;
  if (!(await alive(world, admin.token))) {
    // From an address of its own: the corpus' failed sign-ins from other addresses count against theirs.
    const res = await call<{ token: string }>(world.origin, 'POST', '/auth/login', { body: { email: admin.email, password: admin.password }, headers: { 'cf-connecting-ip': '192.0.2.1' } });
    if (res.status !== 200 || !res.body) throw new Error(`the corpus' admin cannot sign in again: ${res.status} ${res.text}`);
    admin = { ...admin, token: res.body.token };
    world.admin.token = admin.token;
  }
  if (!(await alive(world, user.token))) user = await newUser(world, 'fuzz');
  if ((await call(world.origin, 'GET', `/parking-lots/${lotId}`)).status !== 200) lotId = await newLot(world, 50, 'Fuzz Lot');
  const held = await call<{ status: string; user_id: number; lot_id: number }>(world.origin, 'GET', `/reservations/${reservationId}`, { token: user.token });
  if (held.status !== 200 || held.body?.status !== 'reserved' || held.body.lot_id !== lotId) {
    let id = await book(world, user, lotId);
    if (id === null) {
      lotId = await newLot(world, 50, 'Fuzz Lot');
      id = await book(world, user, lotId);
    }
    if (id === null) throw new Error('the corpus could not book a new reservation');
    reservationId = id;
  }
  return { admin, user, lotId, reservationId };
}

const ownIdOf = (path: string, t: Targets) => (path.startsWith('/users') ? t.user.id : path.startsWith('/parking-lots') ? t.lotId : t.reservationId);

function authorization(request: FuzzRequest, t: Targets): string | null {
  const c = request.credentials;
  if (c === 'none') return null;
  if (c === 'admin' || c === 'user') return `Bearer ${(c === 'admin' ? t.admin : t.user).token}`;
  if ('header' in c) return c.header;
  const account = c.forged === 'admin' ? t.admin : t.user;
  const token = account.token;
  switch (c.how) {
    case 'suffix':
      return `Bearer ${token}x`;
    case 'truncate':
      return `Bearer ${token.slice(0, -3)}`;
    case 'other-id':
      return `Bearer ${token.replace(/^pe_\d+_/, `pe_${c.forged === 'admin' ? t.user.id : t.admin.id}_`)}`;
    case 'lowercase':
      return `Bearer ${token.toLowerCase()}`;
    case 'no-scheme':
      return token;
  }
}

/** The request as it is sent, against the current targets. */
export function materialize(request: FuzzRequest, t: Targets): { method: string; url: string; headers: Record<string, string>; body: string | null } {
  const id = request.id === 'own' ? String(ownIdOf(request.path, t)) : request.id;
  const path = request.path.replace('{id}', id);
  const query = request.query.map(([k, v]) => `${k}=${v}`).join('&');
  const auth = authorization(request, t);
  return {
    method: request.method,
    url: `${path}${query ? `?${query}` : ''}`,
    headers: { ...request.headers, ...(auth === null ? {} : { authorization: auth }) },
    body: request.body?.replaceAll(LOT_ID, String(t.lotId)) ?? null,
  };
}
