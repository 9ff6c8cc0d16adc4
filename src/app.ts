// createApp(): the one place the app is assembled — middleware order, routes, errors, documentation.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './app-env.ts';
import { AppError } from './errors.ts';
import { afterResponse } from './middleware/after-response.ts';
import { deps } from './middleware/deps.ts';
import { notFound, onError, sendError, validationHook } from './middleware/errors.ts';
import { requestId } from './middleware/request-id.ts';
import { wellFormedText } from './middleware/well-formed-text.ts';
import { registerAdminRoutes } from './routes/admin/index.ts';
import { registerAuthRoutes } from './routes/auth/index.ts';
import { registerDocs } from './routes/docs.ts';
import { registerHealth } from './routes/health.ts';
import { registerLotRoutes } from './routes/lots/index.ts';
import { registerReportRoutes } from './routes/reports/index.ts';
import { registerReservationRoutes } from './routes/reservations/index.ts';
import { registerUserRoutes } from './routes/users/index.ts';
import { registerWebhookRoutes } from './routes/webhooks/index.ts';
import { registerWaitlistRoutes } from './routes/waitlist/index.ts';

export const MAX_BODY_BYTES = 64 * 1024;

/** The route patterns (`GET /parking-lots/:id`) of the assembled app: the names of `endpoint_calls:{endpoint}`. */
export function routePatterns(routes: readonly { method: string; path: string }[]): string[] {
  const patterns = routes.filter((r) => r.method !== 'ALL' && r.path !== '*').map((r) => `${r.method} ${r.path}`);
  return [...new Set(patterns)].sort();
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  let endpoints: readonly string[] = [];

  app.use('*', requestId, deps, afterResponse);
  app.use('*', async (c, next) => {
    c.set('endpoints', endpoints);
    await next();
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => sendError(c, new AppError('payload_too_large', 'The request body is larger than 64 KiB.')),
    }),
    wellFormedText,
  );

  registerHealth(app);
  registerAuthRoutes(app);
  registerUserRoutes(app);
  registerLotRoutes(app);
  registerReservationRoutes(app);
  registerWaitlistRoutes(app);
  registerReportRoutes(app);
  registerWebhookRoutes(app);
  registerAdminRoutes(app);
  registerDocs(app);
  endpoints = routePatterns(app.routes);

  app.onError(onError);
  app.notFound(notFound);
  return app;
}
