// Calls to the Worker from the suite itself (arranging data, probing), outside the measured load.
import { randomBytes } from 'node:crypto';
import type { Account, World } from './world.ts';

export interface Answer<T> {
  status: number;
  headers: Headers;
  text: string;
  /** The JSON answer, of the shape the caller expects (checked by the caller), or null when it is not JSON. */
  body: T | null;
}

export async function call<T = unknown>(origin: string, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await res.text();
  let body: T | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, body };
}

let counter = 0;
/** A plate no one else uses (2..20 letters and digits). */
export function uniquePlate(prefix = 'C'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36)}${randomBytes(2).toString('hex')}`.toUpperCase().slice(0, 20);
}

export async function newUser(world: World, label = 'chaos'): Promise<Account> {
  counter += 1;
  const login = { email: `${label}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}@parkedge.test`, password: 'a-good-password' };
  const res = await call<{ user: { id: number }; token: string }>(world.origin, 'POST', '/auth/register', { body: { ...login, name: 'Chaos Driver' } });
  if (res.status !== 201 || !res.body) throw new Error(`register: ${res.status} ${res.text}`);
  return { ...login, id: res.body.user.id, token: res.body.token };
}

export async function newLot(world: World, capacity: number, name = 'Chaos Lot'): Promise<number> {
  const res = await call<{ id: number }>(world.origin, 'POST', '/parking-lots', {
    token: world.admin.token,
    body: { name, address: '1 Chaos Road', pin_code: '560001', price_per_hour_cents: 600, capacity },
  });
  if (res.status !== 201 || !res.body) throw new Error(`creating a lot: ${res.status} ${res.text}`);
  return res.body.id;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it holds or `timeoutMs` passed; resolves with when it first held, or null. */
export async function firstTime(check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return Date.now();
    await sleep(everyMs);
  }
  return null;
}
