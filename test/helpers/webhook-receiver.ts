// A webhook receiver on loopback (a Node http server, started by the global setups): it verifies every delivery
// with the `standardwebhooks` library, as an operator's receiver would, and keeps what it saw for the tests.
// Each test uses receivers of its own, by name (`/hooks/<name>`), configured over `PUT /__config/<name>`:
// `secret` (the one POST /webhooks answered), `fail_first` (answer 500 to the first n attempts of each message,
// or every one: -1). `GET /__log/<name>` gives every request received, in order.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  /** Date.now() when the request arrived. */
  at: number;
  id: string;
  timestamp: number;
  verified: boolean;
  /** Which attempt of this message (webhook-id) this was, from 1, as the receiver counts them. */
  attempt: number;
  answered: number;
  body: { type: string; timestamp: string; data: Record<string, unknown> } | null;
}

interface Receiver {
  secret?: string;
  failFirst: number;
  log: Received[];
  attempts: Map<string, number>;
}

export interface WebhookReceiver {
  url: string;
  close(): Promise<void>;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receivers = new Map<string, Receiver>();
  const receiver = (name: string) => {
    let r = receivers.get(name);
    if (!r) receivers.set(name, (r = { failFirst: 0, log: [], attempts: new Map() }));
    return r;
  };
  const server = http.createServer(async (request, response) => {
    const body = await readBody(request);
    const [, kind, name = ''] = (request.url ?? '').split('?')[0]!.split('/');
    const reply = (status: number, json: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (kind === '__config' && request.method === 'PUT') {
      const config = JSON.parse(body) as { secret?: string; fail_first?: number };
      const r = receiver(name);
      r.secret = config.secret ?? r.secret;
      r.failFirst = config.fail_first ?? r.failFirst;
      return reply(200, { ok: true });
    }
    if (kind === '__log') return reply(200, receiver(name).log);
    if (kind !== 'hooks' || request.method !== 'POST') return reply(404, { error: 'unknown path' });
    const r = receiver(name);
    const at = Date.now();
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    let verified = false;
    let parsed: Received['body'] = null;
    try {
      parsed = r.secret ? (new Webhook(r.secret).verify(body, headers) as Received['body']) : null;
      verified = parsed !== null;
    } catch {
      verified = false;
    }
    const id = headers['webhook-id'] ?? '';
    const attempt = (r.attempts.get(id) ?? 0) + 1;
    r.attempts.set(id, attempt);
    const fails = r.failFirst < 0 || attempt <= r.failFirst;
    const answered = !verified ? 401 : fails ? 500 : 204;
    r.log.push({ at, id, timestamp: Number(headers['webhook-timestamp']), verified, attempt, answered, body: parsed });
    if (answered === 204) {
      response.writeHead(204);
      response.end();
    } else reply(answered, { error: verified ? 'failing on purpose' : 'bad signature' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
