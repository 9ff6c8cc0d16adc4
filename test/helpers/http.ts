// Calls the Worker the way Cloudflare does (its default export's fetch, inside workerd) and waits for the
// work it left to executionCtx.waitUntil, so that counters and cache fills are visible to the next line.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index.ts';
import type { Env } from '../../src/env.ts';
import { checkAgainstContract } from './contract.ts';

export interface TestEnv extends Env {
  NEON_CONTROL_URL: string;
  DEAD_URL: string;
  HANGING_URL: string;
  /** An Upstash endpoint on a Redis database of its own (see global-setup.ts). */
  ISOLATED_REDIS_URL: string;
  /** An Upstash endpoint on a Redis database that only test/domain/dashboard-scan.test.ts uses. */
  SCAN_REDIS_URL: string;
  /** An Upstash endpoint on a redis-server that only test/foundation/health-cost.test.ts uses. */
  HEALTH_REDIS_URL: string;
  LISTS_DATABASE_URL: string;
  LISTS_REDIS_URL: string;
  /** An Upstash endpoint on a Redis database that only test/redis/cron-scale.test.ts uses. */
  CRON_REDIS_URL: string;
  /** A PostgreSQL database that only test/redis/cron-scale.test.ts uses (the shared one under PGlite). */
  CRON_DATABASE_URL: string;
  /** The loopback webhook receiver (helpers/webhook-receiver.ts). */
  WEBHOOK_RECEIVER_URL: string;
}

export const testEnv = env as unknown as TestEnv;

export interface CallOptions {
  body?: unknown;
  /** A raw body, sent as it is. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
  env?: Env;
  ip?: string;
  /** Runs when the response has arrived, before the work the Worker left for after it is awaited. */
  onResponse?: () => Promise<void>;
}

export interface CallResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
  /** Time until the response, not counting the work after it. */
  elapsedMs: number;
}

export async function call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  if (options.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  headers.set('cf-connecting-ip', options.ip ?? headers.get('cf-connecting-ip') ?? randomIp());
  const request = new Request(`http://parkedge.test${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const ctx = createExecutionContext();
  const started = performance.now();
  const response = await worker.fetch(request, (options.env ?? testEnv) as Env, ctx);
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  await options.onResponse?.();
  await waitOnExecutionContext(ctx);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  checkAgainstContract(method, new URL(request.url).pathname, response.status, response.headers.get('content-type'), body);
  return { status: response.status, headers: response.headers, body: body as T, text, elapsedMs };
}

/** A fresh client IP per call unless one is given, so anonymous rate limits of tests do not collide. */
export function randomIp(): string {
  const byte = () => Math.floor(Math.random() * 254) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}
