import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import { makeDeps } from '../deps.ts';

export const deps = createMiddleware<AppEnv>(async (c, next) => {
  c.set('deps', makeDeps(c.env));
  await next();
});
