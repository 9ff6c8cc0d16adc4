// Webhook test helpers: a receiver of the test's own on the loopback receiver (helpers/webhook-receiver.ts), a
// webhook pointed at it, and waiting for what it gets.
import type { Received } from './webhook-receiver.ts';
import { call, testEnv } from './http.ts';
import { unique, type TestUser } from './fixtures.ts';

export interface TestReceiver {
  name: string;
  url: string;
  configure(config: { secret?: string; fail_first?: number }): Promise<void>;
  log(): Promise<Received[]>;
}

export function makeReceiver(): TestReceiver {
  const name = unique('r');
  const base = testEnv.WEBHOOK_RECEIVER_URL;
  return {
    name,
    url: `${base}/hooks/${name}`,
    async configure(config) {
      const res = await fetch(`${base}/__config/${name}`, { method: 'PUT', body: JSON.stringify(config) });
      if (!res.ok) throw new Error(`receiver config: ${res.status}`);
    },
    async log() {
      return (await (await fetch(`${base}/__log/${name}`)).json()) as Received[];
    },
  };
}

/** A webhook on a fresh receiver that verifies with its secret; `fail_first` as the receiver takes it. */
export async function subscribe(admin: TestUser, body: { events: string[]; lot_ids?: number[] }, failFirst = 0) {
  const receiver = makeReceiver();
  const res = await call('POST', '/webhooks', { token: admin.token, body: { url: receiver.url, ...body } });
  if (res.status !== 201) throw new Error(`webhook creation failed: ${res.status} ${res.text}`);
  await receiver.configure({ secret: res.body.secret, fail_first: failFirst });
  return { receiver, webhook: res.body };
}

/** Polls until `check` holds (or throws with its last answer after `timeoutMs`). */
export async function waitFor<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; last: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}
