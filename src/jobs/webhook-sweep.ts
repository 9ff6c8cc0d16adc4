// The minute cron: webhook deliveries that the request which wrote them did not get to the queue (its enqueue
// failed, or the isolate died after the response) are enqueued here, so no committed event is lost.
import { makeDeps } from '../deps.ts';
import type { Env } from '../env.ts';
import { sweepOutbox } from '../services/webhooks/outbox.ts';

export const SWEEP_CRON = '* * * * *';

export async function runWebhookSweep(env: Env): Promise<number> {
  const started = Date.now();
  try {
    const sent = await sweepOutbox(makeDeps(env));
    console.log(JSON.stringify({ job: 'webhook_sweep', ok: true, sent, ms: Date.now() - started }));
    return sent;
  } catch (error) {
    console.error(JSON.stringify({ job: 'webhook_sweep', ok: false, error: String(error), ms: Date.now() - started }));
    throw error;
  }
}
