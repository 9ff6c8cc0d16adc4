// The Worker's bundle as `wrangler deploy` would upload it (`--dry-run --outdir`), its size minified or not and
// gzipped (the free plan's limit is 3 MB gzipped, the paid plan's 10 MB), and its startup time: the active CPU
// time of `wrangler check startup`'s local profile (the platform's limit on startup is 1 s).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { percentile } from '../../chaos/report.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const wranglerBin = path.join(path.dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const wrangler = (args: string[]) =>
  run(process.execPath, [wranglerBin, ...args], { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' }, maxBuffer: 16 << 20 });

export interface BundleFigures {
  minify: boolean;
  bytes: number;
  gzipBytes: number;
  /** Median of the runs' active startup CPU, ms. */
  startupMs: number;
  startupRuns: number[];
}

/** `minify`: the flag passed to wrangler (`--minify` / `--minify=false`), whatever wrangler.toml says. */
export async function measureBundle(minify: boolean, startupRuns: number): Promise<BundleFigures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parkedge-bundle-'));
  try {
    const flag = `--minify=${minify}`;
    await wrangler(['deploy', '--dry-run', '--outdir', dir, flag]);
    let bytes = 0;
    let gzipBytes = 0;
    for (const name of await readdir(dir)) {
      if (!/\.(m?js|wasm)$/.test(name)) continue; // the source map is not uploaded as code
      const content = await readFile(path.join(dir, name));
      bytes += (await stat(path.join(dir, name))).size;
      gzipBytes += gzipSync(content, { level: 9 }).length;
    }
    const runs: number[] = [];
    for (let i = 0; i < startupRuns; i += 1) {
      const { stdout, stderr } = await wrangler(['check', 'startup', '--outfile', path.join(dir, 'startup.cpuprofile'), `--args=${flag}`]);
      const active = /Active:\s*([\d.]+)\s*ms/.exec(stdout + stderr);
      if (!active) throw new Error(`wrangler check startup printed no startup time:\n${stdout}${stderr}`);
      runs.push(Number(active[1]));
    }
    return { minify, bytes, gzipBytes, startupMs: percentile(runs, 50), startupRuns: runs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
