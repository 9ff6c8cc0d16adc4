// Starting a throw-away redis-server (nothing on disk) when none answers and one is installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { onPath, redisAnswers, waitFor } from './probe.ts';

export interface SpawnedRedis {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function spawnRedisServer(port: number): Promise<SpawnedRedis | null> {
  if (!onPath('redis-server')) return null;
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`redis-server on port ${port}`, () => redisAnswers({ host: '127.0.0.1', port, db: 0 }, 300), 10_000);
  return {
    port,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
