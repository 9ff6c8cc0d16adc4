// The Worker's entry: HTTP requests go to the Hono app, the daily cron trigger to the compaction job and the
// minute one to the webhook outbox sweep, queue batches to the webhook deliveries, and the lots' live streams
// live in their Durable Objects.
import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { runQueue } from './jobs/queues.ts';
import { runScheduled } from './jobs/scheduled.ts';
import { runWebhookSweep, SWEEP_CRON } from './jobs/webhook-sweep.ts';
import type { DeliveryMessage } from './schemas/webhooks.ts';

export { LotLive } from './objects/lot-live.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    if (controller.cron === SWEEP_CRON) ctx.waitUntil(runWebhookSweep(env));
    else ctx.waitUntil(runScheduled(env, new Date(controller.scheduledTime)));
  },
  queue: (batch, env) => runQueue(batch, env),
} satisfies ExportedHandler<Env, DeliveryMessage>;
