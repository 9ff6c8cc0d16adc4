// Finding out what runs on this machine: free ports, a Redis that answers PING, a PostgreSQL that accepts
// a connection, programs on the PATH.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import pg from 'pg';
import { RedisConnection, type RedisTarget } from '../redis-rest/connection.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export async function redisAnswers(target: RedisTarget, timeoutMs = 1000): Promise<boolean> {
  const connection = new RedisConnection(target, timeoutMs);
  try {
    await connection.ready;
    return (await connection.send(['PING'])) === 'PONG';
  } catch {
    return false;
  } finally {
    connection.close();
  }
}

export async function postgresAnswers(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** Waits until `check` passes, polling every 100 ms, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}
