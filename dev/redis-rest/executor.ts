// Runs Upstash-style commands against redis-server. Ordinary commands share one pipelined connection;
// blocking commands and transactions get a connection of their own, so they can neither stall nor interleave
// with anyone else. Commands that would change the state of a shared connection are refused.
import { RedisConnection, type RedisTarget } from './connection.ts';
import { RedisReplyError, type Reply } from './resp.ts';
import { ScriptShas } from './scripts.ts';

const sharedScriptShas = new ScriptShas();

export type Command = string[];

/** A request the stand-in refuses before it reaches Redis (HTTP 400). */
export class CommandRejected extends Error {}

const CONNECTION_STATE = new Set([
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE', 'MONITOR', 'SYNC',
  'PSYNC', 'QUIT', 'RESET', 'HELLO', 'SELECT', 'AUTH', 'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH',
  'SHUTDOWN', 'REPLICAOF', 'SLAVEOF', 'FAILOVER',
]);
const BLOCKING = new Set([
  'BLPOP', 'BRPOP', 'BRPOPLPUSH', 'BLMOVE', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP', 'WAIT', 'WAITAOF',
]);

function isBlocking(command: Command): boolean {
  const name = command[0]!.toUpperCase();
  if (BLOCKING.has(name)) return true;
  return (name === 'XREAD' || name === 'XREADGROUP') && command.some((arg) => arg.toUpperCase() === 'BLOCK');
}

export function validateCommand(command: Command): void {
  if (command.length === 0 || command[0] === '') throw new CommandRejected('ERR empty command');
  const name = command[0]!.toUpperCase();
  if (CONNECTION_STATE.has(name)) {
    throw new CommandRejected(`ERR command ${name} is not supported by the REST endpoint`);
  }
  if (name === 'CLIENT' && ['REPLY', 'KILL', 'PAUSE', 'SETNAME', 'TRACKING'].includes((command[1] ?? '').toUpperCase())) {
    throw new CommandRejected(`ERR command CLIENT ${command[1]!.toUpperCase()} is not supported by the REST endpoint`);
  }
}

export class Executor {
  private shared: RedisConnection | null = null;
  private readonly idle: RedisConnection[] = [];
  // One mapping per process: every stand-in in front of a redis-server shares its script cache, as Upstash's
  // endpoints share the database's, so a script loaded through one is known to the others.
  private readonly scripts = sharedScriptShas;
  private readonly target: RedisTarget;

  constructor(target: RedisTarget) {
    this.target = target;
  }

  /** One command. A Redis error comes back as a RedisReplyError value. */
  async run(command: Command): Promise<Reply> {
    const [reply] = await this.runMany([command]);
    return reply!;
  }

  /** Several independent commands, written to Redis in one go (a pipeline, not atomic). */
  async runMany(commands: Command[]): Promise<Reply[]> {
    commands.forEach(validateCommand);
    const prepared = commands.map((command) => this.prepare(command));
    if (prepared.some(isBlocking)) {
      // Keep the order of the pipeline while a blocking command holds a private connection.
      return this.withDedicated(async (connection) => (await connection.sendMany(prepared)).map((r, i) => this.finish(commands[i]!, r)));
    }
    const replies = await this.sendShared(prepared);
    return replies.map((reply, i) => this.finish(commands[i]!, reply));
  }

  /**
   * MULTI, the commands, EXEC on a connection nobody else uses meanwhile. Returns the per-command replies,
   * or a RedisReplyError when Redis discarded the whole transaction (EXECABORT).
   */
  async transaction(commands: Command[]): Promise<Reply[] | RedisReplyError> {
    commands.forEach(validateCommand);
    const prepared = commands.map((command) => this.prepare(command));
    return this.withDedicated(async (connection) => {
      const replies = await connection.sendMany([['MULTI'], ...prepared, ['EXEC']]);
      const exec = replies[replies.length - 1];
      if (exec instanceof RedisReplyError) return exec;
      if (!Array.isArray(exec)) throw new Error('EXEC answered neither an array nor an error');
      return exec.map((reply, i) => this.finish(commands[i]!, reply));
    });
  }

  close(): void {
    this.shared?.close();
    for (const connection of this.idle.splice(0)) connection.close();
  }

  private prepare(command: Command): Command {
    const name = command[0]!.toUpperCase();
    if ((name === 'EVAL' || name === 'EVAL_RO') && command[1] !== undefined) {
      return [command[0]!, this.scripts.register(command[1]), ...command.slice(2)];
    }
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && command[1] !== undefined) {
      return [command[0]!, this.scripts.toRedis(command[1]), ...command.slice(2)];
    }
    if (name === 'SCRIPT') {
      const sub = (command[1] ?? '').toUpperCase();
      if (sub === 'LOAD' && command[2] !== undefined) return [command[0]!, command[1]!, this.scripts.register(command[2])];
      if (sub === 'EXISTS') return [command[0]!, command[1]!, ...command.slice(2).map((sha) => this.scripts.toRedis(sha))];
    }
    return command;
  }

  /** SCRIPT LOAD answers the SHA of the text the client sent, as Upstash does. */
  private finish(command: Command, reply: Reply): Reply {
    const isLoad = command[0]!.toUpperCase() === 'SCRIPT' && (command[1] ?? '').toUpperCase() === 'LOAD';
    const loadedSha = isLoad && Buffer.isBuffer(reply) ? (reply as Buffer).toString() : null;
    return loadedSha === null ? reply : Buffer.from(this.scripts.toClient(loadedSha));
  }

  private async sendShared(commands: Command[]): Promise<Reply[]> {
    if (!this.shared || this.shared.broken) {
      this.shared = new RedisConnection(this.target);
    }
    const connection = this.shared;
    await connection.ready;
    return connection.sendMany(commands);
  }

  private async withDedicated<T>(work: (connection: RedisConnection) => Promise<T>): Promise<T> {
    let connection = this.idle.pop();
    while (connection?.broken) connection = this.idle.pop();
    connection ??= new RedisConnection(this.target, 600_000);
    try {
      await connection.ready;
      const result = await work(connection);
      if (!connection.broken && this.idle.length < 8) this.idle.push(connection);
      else connection.close();
      return result;
    } catch (error) {
      connection.close();
      throw error;
    }
  }
}
