// The API of the Worker under `wrangler dev`, called from Node: accounts, traffic, the dashboard's JSON, and
// the Upstash stand-in's control endpoint (to take Redis away from the Worker).
import { neon, neonConfig } from '@neondatabase/serverless';
import { inject } from 'vitest';

export const origin = inject('browserOrigin');
export const seededAdmin = { email: inject('browserAdminEmail'), password: inject('browserAdminPassword') };

export interface ApiResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function api<T = any>(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    redirect: 'manual',
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text itself
  }
  return { status: res.status, headers: res.headers, body };
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export interface Account {
  email: string;
  password: string;
}

export async function bearerToken(account: Account): Promise<string> {
  const res = await api('POST', '/auth/login', { body: account });
  if (res.status !== 200) throw new Error(`POST /auth/login for ${account.email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** A new account with the role `user`, registered through the API; with its session's token. */
export async function newUser(): Promise<Account & { token: string }> {
  const account = { email: `${unique('u')}@parkedge.test`, password: 'a-good-password' };
  const res = await api('POST', '/auth/register', { body: { ...account, name: 'Browser Test User' } });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...account, token: res.body.token as string };
}

/** A new admin, created by the seeded admin through POST /users (so each test signs in as someone of its own). */
export async function newAdmin(): Promise<Account> {
  const account = { email: `${unique('a')}@parkedge.test`, password: 'an-admin-password' };
  const res = await api('POST', '/users', { token: await bearerToken(seededAdmin), body: { ...account, name: 'Browser Test Admin', role: 'admin' } });
  if (res.status !== 201) throw new Error(`creating an admin: ${res.status} ${JSON.stringify(res.body)}`);
  return account;
}

/** A registration, a lot and a booking: the dashboard's numbers and today's points are no longer zero. */
export async function makeTraffic(): Promise<void> {
  const admin = await bearerToken(seededAdmin);
  const lot = await api('POST', '/parking-lots', {
    token: admin,
    body: { name: unique('Lot '), address: '1 Browser Street', pin_code: '560001', price_per_hour_cents: 600, capacity: 3 },
  });
  if (lot.status !== 201) throw new Error(`creating a lot: ${lot.status} ${JSON.stringify(lot.body)}`);
  const user = await newUser();
  const plate = unique('B').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(-12);
  const booked = await api('POST', '/reservations', { token: user.token, body: { lot_id: lot.body.id, vehicle_plate: plate } });
  if (booked.status !== 201) throw new Error(`booking: ${booked.status} ${JSON.stringify(booked.body)}`);
}

/** GET /admin/redis-dashboard as JSON, with an admin's bearer token. */
export async function dashboardJson(token: string): Promise<any> {
  const res = await api('GET', '/admin/redis-dashboard', { token });
  if (res.status !== 200) throw new Error(`dashboard JSON: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Makes the Upstash stand-in refuse every connection (the Worker sees Redis down), or serve again. */
export async function setRedisFault(fault: 'refuse' | 'none'): Promise<void> {
  const res = await fetch(`${inject('browserRedisRestUrl')}/__control/config`, {
    method: 'POST',
    headers: { authorization: `Bearer ${inject('browserRedisToken')}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fault }),
  });
  if (res.status !== 200) throw new Error(`stand-in control: ${res.status} ${await res.text()}`);
}

/** Direct SQL on the Worker's database, through the Neon stand-in as the Worker reaches it. */
export function databaseSql() {
  neonConfig.fetchEndpoint = inject('browserNeonSqlEndpoint');
  return neon(inject('browserDatabaseUrl'));
}

/** A lot with a past occupancy hour 30 hours ago: its last 24 hours all have history. */
export async function lotWithHistory(): Promise<{ id: number; hours: number }> {
  const admin = await bearerToken(seededAdmin);
  const lot = await api('POST', '/parking-lots', {
    token: admin,
    body: { name: unique('History lot '), address: '2 Browser Street', pin_code: '560001', price_per_hour_cents: 600, capacity: 8 },
  });
  if (lot.status !== 201) throw new Error(`creating a lot: ${lot.status} ${JSON.stringify(lot.body)}`);
  const hour = Date.now() - (Date.now() % 3_600_000) - 30 * 3_600_000;
  await databaseSql()`INSERT INTO lot_occupancy_hours (lot_id, hour, min_occupied, max_occupied, occupied_seconds, last_occupied, capacity, last_change_at)
    VALUES (${lot.body.id}, ${new Date(hour).toISOString()}, 2, 5, 9000, 4, 8, ${new Date(hour + 1_800_000).toISOString()})`;
  return { id: lot.body.id, hours: 25 };
}
