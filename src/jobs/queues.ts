// The Worker's queue handler: deliveries from the webhook queue, final failures from its dead-letter queue
// (wrangler.toml [[queues.consumers]]).
import { makeDeps } from '../deps.ts';
import type { Env } from '../env.ts';
import type { DeliveryMessage } from '../schemas/webhooks.ts';
import { recordDeadLetters } from '../services/webhooks/dead-letter.ts';
import { deliverBatch } from '../services/webhooks/deliver.ts';

export const WEBHOOK_DLQ = 'parkedge-webhooks-dlq';

export async function runQueue(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  const deps = makeDeps(env);
  if (batch.queue === WEBHOOK_DLQ) await recordDeadLetters(deps, batch);
  else await deliverBatch(deps, batch);
}
