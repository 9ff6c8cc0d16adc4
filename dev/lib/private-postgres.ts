// A PostgreSQL server of one run's own, for what must not be done to the machine's shared server (the chaos
// suite stops and starts it): initdb into a temporary directory, pg_ctl start on a free port of 127.0.0.1,
// removed at the end — or, should this process die first, by a detached watcher. PostgreSQL refuses to run as
// root, so as root its programs run as the `postgres` user (or `nobody`) through runuser or setpriv.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, onPath, postgresAnswers, waitFor } from './probe.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  port: number;
  /** `postgresql://postgres@127.0.0.1:{port}/postgres`. */
  serverUrl: string;
  /** The major version of the binaries, e.g. "15". */
  version: string;
  /** Its data directory (postmaster.pid there names the server's process, for `npm run bench`'s CPU figures). */
  dataDir: string;
  /** pg_ctl stop: `immediate` is a crash (no checkpoint, clients cut off), `fast` a clean shutdown. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** pg_ctl start, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

/** Why no private server can run here, in words that say what to install or change. */
export class PrivatePostgresUnavailable extends Error {}

const PREFERRED_VERSION = '15';

/** initdb and pg_ctl: PG_BIN_DIR, else Debian's /usr/lib/postgresql/<version>/bin (15 first), else pg_config's. */
function binDir(): { dir: string; version: string } | null {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(process.env.PG_BIN_DIR);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of [PREFERRED_VERSION, ...versions.filter((v) => v !== PREFERRED_VERSION)]) candidates.push(`${debian}/${v}/bin`);
  }
  if (onPath('pg_config')) {
    const bindir = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' }).stdout.trim();
    if (bindir) candidates.push(bindir);
  }
  for (const dir of candidates) {
    if (!existsSync(path.join(dir, 'initdb')) || !existsSync(path.join(dir, 'pg_ctl'))) continue;
    const out = spawnSync(path.join(dir, 'pg_ctl'), ['--version'], { encoding: 'utf8' }).stdout;
    return { dir, version: /(\d+)/.exec(out)?.[1] ?? '?' };
  }
  return null;
}

interface Account {
  prefix: string[];
  uid: number;
  gid: number;
}

/** How to run PostgreSQL's programs: as this process, or (as root) as an unprivileged account. */
function account(): Account | string {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { prefix: [], uid, gid: process.getgid?.() ?? 0 };
  for (const user of ['postgres', 'nobody']) {
    const ids = spawnSync('id', ['-u', user], { encoding: 'utf8' });
    if (ids.status !== 0) continue;
    const userId = Number(ids.stdout.trim());
    const groupId = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
    if (onPath('runuser')) return { prefix: ['runuser', '-u', user, '--'], uid: userId, gid: groupId };
    if (onPath('setpriv')) return { prefix: ['setpriv', `--reuid=${userId}`, `--regid=${groupId}`, '--clear-groups'], uid: userId, gid: groupId };
    return 'running as root, PostgreSQL needs another account, and neither runuser nor setpriv is installed (util-linux)';
  }
  return 'running as root, and there is neither a postgres nor a nobody account to run PostgreSQL as';
}

export async function startPrivatePostgres(log: (line: string) => void = () => {}): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) {
    throw new PrivatePostgresUnavailable('no PostgreSQL server binaries (initdb, pg_ctl) found: install PostgreSQL (`apt-get install postgresql`) or set PG_BIN_DIR');
  }
  const as = account();
  if (typeof as === 'string') throw new PrivatePostgresUnavailable(as);

  const root = await mkdtemp(path.join(os.tmpdir(), 'parkedge-pg-'));
  await chown(root, as.uid, as.gid);
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const port = await freePort();
  const serverUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const program = (name: string) => path.join(bin.dir, name);
  const asAccount = async (name: string, args: string[]) => {
    const [command, ...rest] = [...as.prefix, program(name), ...args];
    await run(command!, rest, { cwd: root });
  };
  // Durability kept where a crash test needs it (synchronous commit: an answered commit is in the WAL); fsync
  // off only spares the disk, since the machine itself does not crash here.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c max_connections=200`;

  const removeAll = () => rm(root, { recursive: true, force: true });
  try {
    await asAccount('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (error) {
    await removeAll();
    throw new PrivatePostgresUnavailable(`initdb failed: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`);
  }
  watchOver(root, [...as.prefix, program('pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop']);

  let running = false;
  const start = async () => {
    await asAccount('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options, 'start']);
    await waitFor(`private PostgreSQL on port ${port}`, () => postgresAnswers(serverUrl), 30_000);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await asAccount('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    running = false;
  };
  try {
    await start();
  } catch (error) {
    await removeAll();
    throw new PrivatePostgresUnavailable(`the private PostgreSQL did not start: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`);
  }
  log(`private PostgreSQL ${bin.version} on 127.0.0.1:${port} (${dataDir})`);
  return {
    port,
    serverUrl,
    version: bin.version,
    dataDir,
    stop,
    start,
    destroy: async () => {
      await stop('immediate').catch(() => {});
      await removeAll();
    },
  };
}

// When this process ends without destroy() (killed, or an uncaught error), the server would run on. A small
// detached watcher stops it and removes its directory once this process is gone; it leaves by itself as soon
// as the directory is removed.
const WATCHER = `
const [parent, dir, ...stop] = process.argv.slice(1);
const fs = require('node:fs');
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const timer = setInterval(() => {
  if (!fs.existsSync(dir)) process.exit(0);
  if (alive(Number(parent))) return;
  clearInterval(timer);
  require('node:child_process').spawnSync(stop[0], stop.slice(1), { stdio: 'ignore', cwd: dir });
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}, 500);`;

function watchOver(dir: string, stopCommand: string[]): void {
  const watcher = spawn(process.execPath, ['-e', WATCHER, String(process.pid), dir, ...stopCommand], { detached: true, stdio: 'ignore' });
  watcher.unref();
}
