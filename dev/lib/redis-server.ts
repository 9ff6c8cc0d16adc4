// Starting a throw-away redis-server when none answers and one is installed: nothing on disk, or, given a
// directory, an append-only file there, so that a server killed and started again comes back with its data
// (as Upstash's does).
import { spawn, type ChildProcess } from 'node:child_process';
import { onPath, redisAnswers, waitFor } from './probe.ts';

export interface SpawnedRedis {
  port: number;
  /** The running server's process (a new one after each restart()). */
  readonly process: ChildProcess;
  /** Stops the server: SIGTERM lets it shut down cleanly, SIGKILL is a crash. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts a stopped server again on the same port (and directory), waiting until it answers. */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /** Keep the data in an append-only file in this directory (written at once, fsync'ed each second). */
  dataDir?: string;
}

export async function spawnRedisServer(port: number, options: RedisServerOptions = {}): Promise<SpawnedRedis | null> {
  if (!onPath('redis-server')) return null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  if (options.dataDir) args.push('--dir', options.dataDir, '--appendonly', 'yes', '--appendfsync', 'everysec');
  else args.push('--appendonly', 'no');

  const launch = async () => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    // Should this process end without stopping it (an uncaught error), the server goes with it.
    const orphaned = () => child.kill('SIGKILL');
    process.once('exit', orphaned);
    const exited = new Promise<void>((resolve) => child.once('exit', () => (process.off('exit', orphaned), resolve())));
    await waitFor(`redis-server on port ${port}`, () => redisAnswers({ host: '127.0.0.1', port, db: 0 }, 300), 10_000);
    return { child, exited };
  };
  let current = await launch();
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill(signal);
    await current.exited;
  };
  return {
    port,
    get process() {
      return current.child;
    },
    stop,
    restart: async () => {
      await stop();
      current = await launch();
    },
  };
}
