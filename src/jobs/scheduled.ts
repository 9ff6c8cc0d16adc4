// The daily cron trigger (00:05 UTC, wrangler.toml).
import type { Env } from '../env.ts';

export async function runScheduled(_env: Env, _now: Date): Promise<void> {}
