// Runs `wrangler dev` the way `npm run dev` does (dev/dev.ts), on a free port of its own, with its log in a
// file; stopping it stops its whole process group (wrangler and the workerd it runs), so nothing is left behind.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../dev/lib/probe.ts';

export interface WranglerDev {
  origin: string;
  /** wrangler's process, the leader of the group that holds workerd too (`npm run bench` reads its CPU). */
  pid: number;
  /** The DevTools inspector of the Worker (a CPU profile of it under load). */
  inspectorPort: number;
  stop(): Promise<void>;
}

const ROOT = new URL('../../../', import.meta.url).pathname;

export async function startWranglerDev(vars: Record<string, string>, logFile: string): Promise<WranglerDev> {
  const port = await freePort();
  const inspectorPort = await freePort();
  // wrangler's own script under the Node that runs vitest (the project's Node 22, not whatever `node` is first on PATH).
  const wranglerPackage = createRequire(import.meta.url).resolve('wrangler/package.json');
  const wranglerBin = path.join(path.dirname(wranglerPackage), 'bin', 'wrangler.js');
  // A state directory of its own (removed at the end): runs side by side never share local state.
  const persistTo = await mkdtemp(path.join(os.tmpdir(), 'parkedge-browser-'));
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)];
  args.push('--persist-to', persistTo, '--show-interactive-dev-session=false', '--log-level', 'warn');
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);

  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [wranglerBin, ...args], {
    cwd: ROOT,
    detached: true, // its own process group, killed as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null)); // could not be started at all
  });

  if (child.pid !== undefined) watchOver(child.pid, persistTo);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && killGroup(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    // workerd may outlive wrangler for a moment when wrangler exits on its own: the group goes with it.
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    log.end();
    await rm(persistTo, { recursive: true, force: true });
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await untilAnswering(origin, exited);
  } catch (error) {
    await stop();
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-30).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- last lines of ${logFile} ---\n${tail}`);
  }
  return { origin, pid: child.pid!, inspectorPort, stop };
}

// Wrangler has a process group of its own, so a Ctrl-C in the terminal does not reach it, and vitest, when
// interrupted, exits without its teardown. A small detached watcher stops the group (and removes the state
// directory) as soon as this process is gone, however it ended; it leaves by itself once the group is gone.
const WATCHER = `
const [parent, group, dir] = process.argv.slice(1).map((v, i) => (i < 2 ? Number(v) : v));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const timer = setInterval(() => {
  if (!alive(-group)) process.exit(0);
  if (alive(parent)) return;
  clearInterval(timer);
  try { process.kill(-group, 'SIGTERM'); } catch {}
  setTimeout(() => {
    try { process.kill(-group, 'SIGKILL'); } catch {}
    require('node:fs').rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }, 5000);
}, 500);`;

function watchOver(group: number, persistTo: string): void {
  const watcher = spawn(process.execPath, ['-e', WATCHER, String(process.pid), String(group), persistTo], { detached: true, stdio: 'ignore' });
  watcher.unref();
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Waits until the Worker answers (any HTTP status), failing at once if wrangler exits. */
async function untilAnswering(origin: string, exited: Promise<number | null>, timeoutMs = 90_000): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`wrangler dev exited (code ${exitCode}) before answering`);
    try {
      const res = await fetch(`${origin}/health/redis`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`wrangler dev did not answer at ${origin} within ${timeoutMs / 1000} s`);
}
