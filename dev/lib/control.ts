// What both stand-ins share for benchmarks and outage tests: request counters, an added delay per request
// (the distance to a faraway region) and injected faults, read and set over HTTP under /__control.
// Everything can be scoped to a tag, so that tests running in parallel count and break only their own
// traffic: the Upstash stand-in takes the tag from the token (`<token>.<tag>`), the Neon stand-in from the
// connection string's application_name.
//   GET  /__control/stats[?tag=t]  -> {"requests": n, "by_path": {...}, "sync_tokens": [...], "statements": [...], "delay_ms": d, "fault": f}
//   POST /__control/reset          -> zeroes the counters
//   POST /__control/config         <- {"tag"?: t, "delay_ms"?: n, "reply_delay_ms"?: n, "fault"?: "none" | "refuse" | "hang"}
// delay_ms waits before the request is served (distance to the region); reply_delay_ms after it was served
// and before the answer leaves (a slow answer to work already done: how tests interleave a read and a write).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Fault = 'none' | 'refuse' | 'hang';

interface Scope {
  requests: number;
  byPath: Record<string, number>;
  /** The `upstash-sync-token` each request came with ('' for none), oldest first, the last 100. */
  syncTokens: string[];
  /** The SQL statements a tagged scope sent (the Neon stand-in), oldest first, the last 500: for EXPLAIN. */
  statements: { query: string; params: (string | null)[] }[];
  delayMs?: number;
  replyDelayMs?: number;
  fault?: Fault;
}

const newScope = (): Scope => ({ requests: 0, byPath: {}, syncTokens: [], statements: [] });

export class Control {
  private global: Scope = { ...newScope(), delayMs: 0, fault: 'none' };
  private tags = new Map<string, Scope>();
  private readonly hanging = new Set<ServerResponse>();

  get requests(): number {
    return this.global.requests;
  }

  get byPath(): Record<string, number> {
    return this.global.byPath;
  }

  /** Counts a request, then applies the fault and the delay. Resolves false if it must not be answered. */
  async admit(path: string, tag: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const scope = tag ? this.scope(tag) : null;
    const fault = scope?.fault ?? this.global.fault;
    if (fault === 'refuse') {
      req.socket.destroy();
      return false;
    }
    if (fault === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return false;
    }
    const syncToken = String(req.headers['upstash-sync-token'] ?? '');
    for (const s of scope ? [this.global, scope] : [this.global]) {
      s.requests += 1;
      s.byPath[path] = (s.byPath[path] ?? 0) + 1;
      s.syncTokens.push(syncToken);
      if (s.syncTokens.length > 100) s.syncTokens.shift();
    }
    const delayMs = scope?.delayMs ?? this.global.delayMs ?? 0;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return true;
  }

  /** Keeps the statements of a tagged request (only tagged: the benchmarks look at their own). */
  noteStatements(tag: string, statements: { query: string; params: (string | null)[] }[]): void {
    if (!tag) return;
    const kept = this.scope(tag).statements;
    kept.push(...statements.map(({ query, params }) => ({ query, params })));
    if (kept.length > 500) kept.splice(0, kept.length - 500);
  }

  /** Waits the reply delay of the request's scope, after its work is done and before it is answered. */
  async beforeReply(tag: string): Promise<void> {
    const scope = tag ? this.tags.get(tag) : undefined;
    const ms = scope?.replyDelayMs ?? this.global.replyDelayMs ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Handles /__control/* requests; returns false for any other path. */
  handle(method: string, url: URL, body: string, res: ServerResponse): boolean {
    if (!url.pathname.startsWith('/__control/')) return false;
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const path = url.pathname;
    if (method === 'GET' && path === '/__control/stats') {
      const tag = url.searchParams.get('tag');
      const s = tag ? this.scope(tag) : this.global;
      reply(200, { requests: s.requests, by_path: s.byPath, sync_tokens: s.syncTokens, statements: s.statements, delay_ms: s.delayMs ?? this.global.delayMs, fault: s.fault ?? this.global.fault });
    } else if (method === 'POST' && path === '/__control/reset') {
      this.global = { ...newScope(), delayMs: this.global.delayMs, fault: this.global.fault };
      this.tags.clear();
      reply(200, { requests: 0 });
    } else if (method === 'POST' && path === '/__control/config') {
      const error = this.configure(body);
      if (error) reply(400, { error });
      else reply(200, { ok: true });
    } else {
      reply(404, { error: `no control endpoint ${method} ${path}` });
    }
    return true;
  }

  private scope(tag: string): Scope {
    let scope = this.tags.get(tag);
    if (!scope) {
      scope = newScope();
      this.tags.set(tag, scope);
    }
    return scope;
  }

  private configure(body: string): string | null {
    let config: { tag?: unknown; delay_ms?: unknown; reply_delay_ms?: unknown; fault?: unknown };
    try {
      config = JSON.parse(body || '{}');
    } catch {
      return 'body must be JSON';
    }
    if (config.tag !== undefined && typeof config.tag !== 'string') return 'tag must be a string';
    const scope = config.tag ? this.scope(config.tag) : this.global;
    if (config.delay_ms !== undefined) {
      if (typeof config.delay_ms !== 'number' || config.delay_ms < 0) return 'delay_ms must be a number >= 0';
      scope.delayMs = config.delay_ms;
    }
    if (config.reply_delay_ms !== undefined) {
      if (typeof config.reply_delay_ms !== 'number' || config.reply_delay_ms < 0) return 'reply_delay_ms must be a number >= 0';
      scope.replyDelayMs = config.reply_delay_ms;
    }
    if (config.fault !== undefined) {
      if (config.fault !== 'none' && config.fault !== 'refuse' && config.fault !== 'hang') {
        return 'fault must be none, refuse or hang';
      }
      scope.fault = config.fault;
      if (config.fault !== 'hang') this.releaseHanging();
    }
    return null;
  }

  /** Hung requests end when a fault is lifted: their sockets are dropped, as a dead peer's would be. */
  private releaseHanging(): void {
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
  }
}

/** Reads a request body up to a limit; resolves null when the limit is exceeded. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
