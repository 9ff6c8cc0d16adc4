// The Worker's static assets (wrangler.toml's [assets] directory, .assets/, ignored by git): Scalar's standalone
// browser bundle, the file @scalar/api-reference's package.json names as `browser` (it sets `window.Scalar` and
// loads nothing else). Run by wrangler's [build] command, so before every `wrangler dev` (npm run dev, the
// browser tests) and `wrangler deploy`. It writes only when the result differs, so that wrangler dev does not
// reload for nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REFERENCE_BUNDLE_PATH } from '../src/routes/docs/bundle.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const ASSETS_DIRECTORY = path.join(ROOT, '.assets');

// The zod inside the bundle probes for eval (`Function('')`) to decide whether to compile its parsers. /docs
// allows no eval, so the probe fails, zod parses without compiling, and the browser reports a CSP violation
// for the probe. Telling zod up front what the probe would find skips it: same behaviour, nothing reported.
const PRELUDE = 'globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig ?? {}, { jitless: true });\n';

function standaloneBundle(): string {
  // The package's exports do not include package.json; its main module sits in dist/, next to it.
  const main = fileURLToPath(import.meta.resolve('@scalar/api-reference'));
  const packageDir = path.resolve(path.dirname(main), '..');
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { name?: string; browser?: string };
  if (manifest.name !== '@scalar/api-reference' || !manifest.browser) {
    throw new Error(`${packageDir} is not @scalar/api-reference with a browser build`);
  }
  return path.join(packageDir, manifest.browser);
}

export function buildAssets(): string {
  const bundle = Buffer.concat([Buffer.from(PRELUDE), readFileSync(standaloneBundle())]);
  const target = path.join(ASSETS_DIRECTORY, REFERENCE_BUNDLE_PATH);
  if (!existsSync(target) || !readFileSync(target).equals(bundle)) {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bundle);
  }
  return target;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = buildAssets();
  console.log(`[build-assets] ${path.relative(ROOT, target)}`);
}
