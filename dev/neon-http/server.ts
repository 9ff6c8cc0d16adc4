// A local stand-in for Neon's HTTP query endpoint (`POST /sql`), the one `neon()` from
// @neondatabase/serverless calls. Single queries, `transaction()` batches with their isolation, read-only
// and deferrable headers, and PostgreSQL errors as HTTP 400 with the fields the driver copies onto its error.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Control, readBody } from '../lib/control.ts';
import type { Backend, BatchOptions, Statement } from './backends.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

// The fields of a PostgreSQL error that NeonDbError carries.
const ERROR_FIELDS = [
  'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema',
  'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine',
] as const;

export interface NeonHttpServer {
  url: string;
  /** The value for `neonConfig.fetchEndpoint`. */
  sqlEndpoint: string;
  port: number;
  control: Control;
  close(): Promise<void>;
}

class BadRequest extends Error {}

function toStatement(value: unknown): Statement {
  const candidate = value as { query?: unknown; params?: unknown } | null;
  if (typeof candidate?.query !== 'string' || candidate.query.trim() === '') {
    throw new BadRequest('each query needs a non-empty "query" string');
  }
  const params = candidate.params ?? [];
  if (!Array.isArray(params)) throw new BadRequest('"params" must be an array');
  return {
    query: candidate.query,
    params: params.map((p) => (p === null || typeof p === 'string' ? p : typeof p === 'object' ? JSON.stringify(p) : String(p))),
  };
}

function batchOptions(headers: http.IncomingHttpHeaders): BatchOptions {
  const flag = (name: string) => (headers[name] === undefined ? undefined : headers[name] === 'true');
  const isolation = headers['neon-batch-isolation-level'];
  return {
    ...(typeof isolation === 'string' ? { isolationLevel: isolation } : {}),
    ...(flag('neon-batch-read-only') !== undefined ? { readOnly: flag('neon-batch-read-only')! } : {}),
    ...(flag('neon-batch-deferrable') !== undefined ? { deferrable: flag('neon-batch-deferrable')! } : {}),
  };
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

function shape(result: Awaited<ReturnType<Backend['query']>>, arrayMode: boolean) {
  const rows = arrayMode ? result.rows : result.rows.map((row) => Object.fromEntries(row.map((v, i) => [result.fields[i]!.name, v])));
  return { command: result.command, rowCount: result.rowCount, fields: result.fields, rows, rowAsArray: arrayMode };
}

export async function startNeonHttp(options: { backend: Backend; port?: number; host?: string }): Promise<NeonHttpServer> {
  const control = new Control();
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const body = await readBody(req, MAX_BODY_BYTES).catch(() => null);
    let tag = '';
    const send = async (status: number, value: unknown) => {
      await control.beforeReply(tag);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    if (control.handle(req.method ?? 'GET', url, body?.toString('utf8') ?? '', res)) return;
    if (req.method !== 'POST' || url.pathname !== '/sql') return send(404, { message: 'use POST /sql' });
    if (body === null) return send(413, { message: `request body larger than ${MAX_BODY_BYTES} bytes` });
    const connectionString = req.headers['neon-connection-string'];
    tag = tagOf(connectionString);
    if (!(await control.admit(url.pathname, tag, req, res))) return;

    const arrayMode = req.headers['neon-array-mode'] === 'true';
    try {
      if (typeof connectionString !== 'string') throw new BadRequest('missing Neon-Connection-String header');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw new BadRequest('the body is not valid JSON');
      }
      const queries = (parsed as { queries?: unknown }).queries;
      if (queries !== undefined) {
        if (!Array.isArray(queries)) throw new BadRequest('"queries" must be an array');
        const results = await options.backend.batch(connectionString, queries.map(toStatement), batchOptions(req.headers));
        return send(200, { results: results.map((r) => shape(r, arrayMode)) });
      }
      return send(200, shape(await options.backend.query(connectionString, toStatement(parsed)), arrayMode));
    } catch (error) {
      if (error instanceof BadRequest || error instanceof RangeError) return send(400, { message: error.message });
      if (isPostgresError(error)) {
        const fields = Object.fromEntries(ERROR_FIELDS.filter((f) => error[f] !== undefined).map((f) => [f, error[f]]));
        return send(400, { message: error.message, ...fields });
      }
      return send(503, { message: `cannot reach PostgreSQL: ${(error as Error).message}` });
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
