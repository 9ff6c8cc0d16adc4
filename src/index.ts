// The Worker's entry: HTTP requests go to the Hono app, the daily cron trigger to the compaction job, and the
// lots' live streams live in their Durable Objects.
import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { runScheduled } from './jobs/scheduled.ts';

export { LotLive } from './objects/lot-live.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env>;
