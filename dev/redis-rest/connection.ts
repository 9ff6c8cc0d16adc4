// One TCP connection to redis-server with pipelining: commands are written at once and their replies are
// matched in order. Any protocol fault, socket error or timeout destroys the connection and fails every
// pending command, so a connection is never left out of step with its queue.
import net from 'node:net';
import { encodeCommand, ProtocolError, ReplyParser, type Reply } from './resp.ts';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

export class RedisConnection {
  private readonly socket: net.Socket;
  private readonly parser = new ReplyParser();
  private readonly pending: Pending[] = [];
  private failure: Error | null = null;
  private readonly timeoutMs: number;
  readonly ready: Promise<void>;

  constructor(target: RedisTarget, timeoutMs = 10_000) {
    this.timeoutMs = timeoutMs;
    this.socket = net.createConnection({ host: target.host, port: target.port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error('redis connection closed')));
    this.socket.on('timeout', () => this.fail(new Error(`redis did not answer within ${this.timeoutMs} ms`)));
    const connected = new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
      this.socket.once('close', () => reject(new Error('redis connection closed')));
    });
    this.ready = connected.then(async () => {
      if (target.db !== 0) {
        const reply = await this.send(['SELECT', String(target.db)]);
        if (reply instanceof Error) throw reply;
      }
    });
    this.ready.catch(() => this.fail(new Error('redis connection failed')));
  }

  get broken(): boolean {
    return this.failure !== null;
  }

  /** Sends one command; resolves with its reply (a Redis error reply is a value, not a rejection). */
  send(args: readonly (string | Buffer)[]): Promise<Reply> {
    return this.sendMany([args]).then((replies) => replies[0]!);
  }

  /** Writes all commands in one go and resolves with their replies, in order. */
  sendMany(commands: readonly (readonly (string | Buffer)[])[]): Promise<Reply[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(
      () =>
        new Promise<Reply>((resolve, reject) => {
          this.pending.push({ resolve, reject });
        }),
    );
    this.socket.setTimeout(this.timeoutMs);
    this.socket.write(Buffer.concat(commands.map((command) => encodeCommand(command))));
    return Promise.all(replies);
  }

  close(): void {
    this.fail(new Error('redis connection closed by the stand-in'));
  }

  private onData(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.fail(error instanceof ProtocolError ? error : new ProtocolError(String(error)));
      return;
    }
    for (const reply of replies) {
      const waiter = this.pending.shift();
      if (!waiter) {
        this.fail(new ProtocolError('redis sent a reply nobody asked for'));
        return;
      }
      waiter.resolve(reply);
    }
    if (this.pending.length === 0) this.socket.setTimeout(0);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}
