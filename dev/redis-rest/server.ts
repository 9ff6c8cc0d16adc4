// A local stand-in for Upstash's REST endpoint in front of a real redis-server. It speaks what
// @upstash/redis and @upstash/ratelimit send: POST / (one command), /pipeline, /multi-exec, the
// `Upstash-Encoding: base64` reply encoding, `upstash-sync-token`, Bearer tokens, and Upstash's reply shapes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Control, readBody } from '../lib/control.ts';
import type { RedisTarget } from './connection.ts';
import { CommandRejected, Executor, type Command } from './executor.ts';
import { RedisReplyError, type Reply } from './resp.ts';

// Upstash's max request size on the Free, Pay-as-you-go and 250 MB/1 GB plans is "10 MB" (upstash/docs,
// redis/overall/billing.mdx, "All plans and limits"; 20–100 MB on the larger fixed plans). Which megabyte is
// not said: the stand-in takes the smaller, 10^7 bytes. The refusal is Upstash's words
// (redis/troubleshooting/max_request_size_exceeded.mdx) with the 400 its REST API answers for a command it
// rejects (redis/features/restapi.mdx, "HTTP Codes", which lists no other status for it).
const MAX_BODY_BYTES = 10_000_000;

export interface RedisRestOptions {
  token: string;
  target: RedisTarget;
  port?: number;
  host?: string;
}

export interface RedisRestServer {
  url: string;
  port: number;
  control: Control;
  close(): Promise<void>;
}

type Encoded = string | number | null | Encoded[];

function encodeReply(reply: Reply, base64: boolean): Encoded {
  if (reply === null || typeof reply === 'number') return reply;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64));
  if (reply instanceof RedisReplyError) return reply.message;
  const bytes = typeof reply === 'string' ? Buffer.from(reply, 'utf8') : reply;
  return base64 ? bytes.toString('base64') : bytes.toString('utf8');
}

/** `{"result": …}` or `{"error": …}`, the shape of each Upstash reply. */
function entry(reply: Reply, base64: boolean): { result: Encoded } | { error: string } {
  return reply instanceof RedisReplyError ? { error: reply.message } : { result: encodeReply(reply, base64) };
}

class BadRequest extends Error {}

function toCommand(value: unknown): Command {
  if (!Array.isArray(value)) throw new BadRequest('ERR a command must be a JSON array of strings');
  if (value.length === 0) throw new BadRequest('ERR empty command');
  return value.map((arg) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw new BadRequest('ERR command arguments must be strings, numbers or booleans');
  });
}

function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new BadRequest('ERR the body must be a non-empty JSON array of commands');
  }
  return value.map(toCommand);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequest('ERR the body is not valid JSON');
  }
}

/** `GET /set/key/value` and `POST /set/key` (value in the body), Upstash's URL form, handy with curl. */
function commandFromPath(pathname: string, method: string, body: Buffer): Command {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (method === 'POST' && body.length > 0) parts.push(body.toString('utf8'));
  return toCommand(parts);
}

export async function startRedisRest(options: RedisRestOptions): Promise<RedisRestServer> {
  const executor = new Executor(options.target);
  const control = new Control();
  let syncToken = 0;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req, MAX_BODY_BYTES).catch(() => null);
    const headers = { 'content-type': 'application/json', 'upstash-sync-token': String(++syncToken) };
    let tag = '';
    const send = async (status: number, value: unknown) => {
      await control.beforeReply(tag);
      res.writeHead(status, headers).end(JSON.stringify(value));
    };

    const auth = req.headers.authorization ?? '';
    const token = (auth.startsWith('Bearer ') ? auth.slice(7) : url.searchParams.get('_token')) ?? '';
    // `<token>.<tag>` is accepted too: the tag scopes counters and faults (see ../lib/control.ts).
    if (token !== options.token && !token.startsWith(`${options.token}.`)) return send(401, { error: 'Unauthorized' });
    tag = token.slice(options.token.length + 1);
    if (control.handle(req.method ?? 'GET', url, body?.toString('utf8') ?? '', res)) return;
    if (body === null) return send(400, { error: 'ERR max request size exceeded' });
    if (!(await control.admit(url.pathname, tag, req, res))) return;

    const base64 = (req.headers['upstash-encoding'] ?? '').toString().toLowerCase() === 'base64';
    try {
      if (url.pathname === '/pipeline') {
        const replies = await executor.runMany(toCommands(parseJson(body)));
        return send(200, replies.map((reply) => entry(reply, base64)));
      }
      if (url.pathname === '/multi-exec') {
        const replies = await executor.transaction(toCommands(parseJson(body)));
        if (replies instanceof RedisReplyError) return send(400, { error: replies.message });
        return send(200, replies.map((reply) => entry(reply, base64)));
      }
      const command = url.pathname === '/' ? toCommand(parseJson(body)) : commandFromPath(url.pathname, req.method ?? 'GET', body);
      const reply = await executor.run(command);
      return send(reply instanceof RedisReplyError ? 400 : 200, entry(reply, base64));
    } catch (error) {
      if (error instanceof BadRequest || error instanceof CommandRejected) return send(400, { error: error.message });
      return send(503, { error: `ERR redis-server is unreachable: ${(error as Error).message}` });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        executor.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
