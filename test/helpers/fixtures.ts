// Small builders of test data with unique values: every test makes its own users and lots.
import { neon, neonConfig } from '@neondatabase/serverless';
import { Redis } from '@upstash/redis/cloudflare';
import type { Env } from '../../src/env.ts';
import { call, testEnv } from './http.ts';

neonConfig.fetchEndpoint = testEnv.NEON_HTTP_ENDPOINT!;
/** Direct SQL on the test database, for arranging what the API cannot (a clock moved back, say). */
export const sql = neon(testEnv.DATABASE_URL);
const sqlFor = (env?: Env) => (env && env.DATABASE_URL !== testEnv.DATABASE_URL ? neon(env.DATABASE_URL) : sql);

/**
 * A world of its own: a database and a Redis database no other test file touches, for the tests of the cached
 * first pages of the lists (on the shared database the rows a test makes are never on the first page).
 */
export const listsWorld: Env = { ...testEnv, DATABASE_URL: testEnv.LISTS_DATABASE_URL, UPSTASH_REDIS_REST_URL: testEnv.LISTS_REDIS_URL };

/** Every row of a list, walking its pages (`limit` rows each) to the end. */
export async function everyRow<T = any>(path: string, options: { token?: string; env?: Env; limit?: number } = {}): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  const join = path.includes('?') ? '&' : '?';
  do {
    const page: string = `${path}${join}limit=${options.limit ?? 500}${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await call('GET', page, { ...(options.token ? { token: options.token } : {}), ...(options.env ? { env: options.env } : {}) });
    if (res.status !== 200) throw new Error(`${page}: ${res.status} ${res.text}`);
    rows.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return rows;
}

export interface TestUser {
  id: number;
  email: string;
  password: string;
  token: string;
  role: 'user' | 'admin';
}

let counter = 0;
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export function uniquePlate(): string {
  return unique('P').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(-15);
}

export async function makeUser(options: { role?: 'user' | 'admin'; vehicle_plate?: string; env?: Env } = {}): Promise<TestUser> {
  const email = `${unique('u')}@parkedge.test`;
  const password = 'a-good-password';
  const body = { email, password, name: 'Test User', ...(options.vehicle_plate ? { vehicle_plate: options.vehicle_plate } : {}) };
  const res = await call('POST', '/auth/register', { body, ...(options.env ? { env: options.env } : {}) });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  const user: TestUser = { id: res.body.user.id, email, password, token: res.body.token, role: 'user' };
  if (options.role === 'admin') {
    await sqlFor(options.env)`UPDATE users SET role = 'admin' WHERE id = ${user.id}`;
    user.role = 'admin';
  }
  return user;
}

export const makeAdmin = (env?: Env) => makeUser({ role: 'admin', ...(env ? { env } : {}) });

export interface LotInput {
  name?: string;
  address?: string;
  pin_code?: string;
  price_per_hour_cents?: number;
  capacity?: number;
  latitude?: number | null;
  longitude?: number | null;
}

export async function makeLot(admin: TestUser, input: LotInput = {}, env?: Env): Promise<any> {
  const res = await call('POST', '/parking-lots', {
    ...(env ? { env } : {}),
    token: admin.token,
    body: { name: unique('Lot '), address: '1 Test Street', pin_code: '560001', price_per_hour_cents: 600, capacity: 3, ...input },
  });
  if (res.status !== 201) throw new Error(`lot creation failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function book(user: TestUser, lotId: number, plate = uniquePlate(), headers: Record<string, string> = {}, env?: Env) {
  return call('POST', '/reservations', { token: user.token, body: { lot_id: lotId, vehicle_plate: plate }, headers, ...(env ? { env } : {}) });
}

/** A plain Upstash client on the test Redis (or another endpoint), for looking at keys directly. */
export function redisClient(url = testEnv.UPSTASH_REDIS_REST_URL!): Redis {
  return new Redis({ url, token: testEnv.UPSTASH_REDIS_REST_TOKEN!, automaticDeserialization: false, enableTelemetry: false });
}
