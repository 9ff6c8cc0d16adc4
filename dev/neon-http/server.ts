// A local stand-in for Neon's HTTP query endpoint (`POST /sql`), the one `neon()` from
// @neondatabase/serverless calls, as strict as Neon's proxy (neondatabase/neon, proxy/src/serverless/
// sql_over_http.rs): the same limits on the request and the answer, the same refusal of bodies serde_json
// refuses, one statement per query, and errors with the fields the driver copies onto its NeonDbError.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Control, readBody } from '../lib/control.ts';
import { isIsolationLevel, type Backend, type BatchOptions } from './backends.ts';
import { parsePayload, type Payload, type PayloadStatement } from './payload.ts';
import { errorBody, NEON_LIMITS, NeonRefusal, ResponseBuffer, ResultWriter, type Limits } from './response.ts';

const CONTROL_BODY_BYTES = 64 * 1024;

export interface NeonHttpServer {
  url: string;
  /** The value for `neonConfig.fetchEndpoint`. */
  sqlEndpoint: string;
  port: number;
  control: Control;
  close(): Promise<void>;
}

function isPostgresError(error: unknown): error is Record<string, unknown> & { message: string } {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** The connection string's application_name scopes counters and faults (see ../lib/control.ts). */
function tagOf(connectionString: unknown): string {
  if (typeof connectionString !== 'string') return '';
  try {
    return new URL(connectionString).searchParams.get('application_name') ?? '';
  } catch {
    return '';
  }
}

/** The batch headers as the proxy reads them: only "true" turns a flag on; an unknown level is refused. */
function batchOptions(headers: http.IncomingHttpHeaders): BatchOptions {
  const isolation = headers['neon-batch-isolation-level'];
  if (typeof isolation === 'string' && !isIsolationLevel(isolation)) throw new NeonRefusal(400, 'invalid isolation level');
  return {
    ...(typeof isolation === 'string' ? { isolationLevel: isolation } : {}),
    ...(headers['neon-batch-read-only'] === 'true' ? { readOnly: true } : {}),
    ...(headers['neon-batch-deferrable'] === 'true' ? { deferrable: true } : {}),
  };
}

/** The status and body Neon answers for a failure. */
function failure(error: unknown): [number, Record<string, unknown>] {
  if (error instanceof NeonRefusal) return [error.status, errorBody(error.message)];
  if (isPostgresError(error)) return [400, errorBody(error.message, error)];
  return [503, errorBody(`cannot reach PostgreSQL: ${(error as Error).message}`)];
}

export async function startNeonHttp(options: { backend: Backend; port?: number; host?: string; limits?: Limits }): Promise<NeonHttpServer> {
  const control = new Control();
  const limits = options.limits ?? NEON_LIMITS;

  /** Runs the payload and returns the answer's JSON text, serialised as the proxy serialises it. */
  async function execute(connectionString: string, payload: Payload, transaction: BatchOptions, arrayMode: boolean): Promise<string> {
    const buffer = new ResponseBuffer(limits.responseBytes);
    const writer = (statement: PayloadStatement, separator = '') => new ResultWriter(buffer, statement.arrayMode ?? arrayMode, separator);
    if (!payload.batch) {
      await options.backend.query(connectionString, payload.statement, writer(payload.statement));
      return buffer.text();
    }
    buffer.write('{"results":[');
    const sinks = payload.statements.map((statement, i) => writer(statement, i === 0 ? '' : ','));
    await options.backend.batch(connectionString, payload.statements, sinks, transaction);
    buffer.write(']}');
    return buffer.text();
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const connectionString = req.headers['neon-connection-string'];
    const tag = tagOf(connectionString);
    const send = async (status: number, value: Record<string, unknown> | string) => {
      await control.beforeReply(tag);
      res.writeHead(status, { 'content-type': 'application/json' }).end(typeof value === 'string' ? value : JSON.stringify(value));
    };
    // Over the limit, the body is read to its end and dropped, so that the client gets the answer.
    const body = await readBody(req, url.pathname.startsWith('/__control/') ? CONTROL_BODY_BYTES : limits.requestBytes).catch(() => undefined);
    if (body === undefined) return void req.socket.destroy();
    if (control.handle(req.method ?? 'GET', url, body?.toString('utf8') ?? '', res)) return;
    if (req.method !== 'POST' || url.pathname !== '/sql') return send(404, errorBody('use POST /sql'));
    if (!(await control.admit(url.pathname, tag, req, res))) return;

    try {
      if (typeof connectionString !== 'string') throw new NeonRefusal(400, 'invalid header: neon-connection-string');
      const transaction = batchOptions(req.headers);
      if (body === null) throw new NeonRefusal(413, `request is too large (max is ${limits.requestBytes} bytes)`);
      const payload = parsePayload(body);
      control.noteStatements(tag, payload.batch ? payload.statements : [payload.statement]);
      const answer = await execute(connectionString, payload, transaction, req.headers['neon-array-mode'] === 'true');
      return send(200, answer);
    } catch (error) {
      return send(...failure(error));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    sqlEndpoint: `${url}/sql`,
    port,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
