// The Worker's entry: HTTP requests go to the Hono app, the daily cron trigger to the compaction job.
import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { runScheduled } from './jobs/scheduled.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env>;
