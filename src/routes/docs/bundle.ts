// Where the API reference's script (Scalar's standalone bundle) is served: a Workers static asset, copied out
// of the npm package by dev/build-assets.ts, served by the assets layer without running the Worker (see
// [assets] in wrangler.toml, whose `run_worker_first` exception names the same folder).
export const REFERENCE_BUNDLE_PATH = '/assets/scalar/api-reference.js';
