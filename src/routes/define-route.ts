// One declaration per route: the OpenAPI definition and the gate come from the same `access`, so the document's
// security and what the gate lets through cannot disagree. serve() runs the gate's second half after the
// route's validation, then the handler.
import { createRoute, type OpenAPIHono, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { admit, checkCredentials, type Guard } from '../middleware/gate.ts';

/** The context a route's handler (and its guard's functions) get: validated input typed by the route. */
export type RouteContext<R extends RouteConfig> = Parameters<RouteHandler<R, AppEnv>>[0];

export const bearerSecurity = [{ bearerAuth: [] }];

export interface DefinedRoute<R extends RouteConfig> {
  route: R;
  guard: Guard<RouteContext<R>>;
}

export function defineRoute<R extends RouteConfig>(config: R, guard: Guard<RouteContext<R>>): DefinedRoute<R> {
  const security = guard.access === 'anyone' && !guard.cookie ? {} : { security: bearerSecurity };
  const route = createRoute({ ...config, ...security, middleware: [checkCredentials(guard)] as const });
  return { route: route as unknown as R, guard };
}

export function serve<R extends RouteConfig>(app: OpenAPIHono<AppEnv>, { route, guard }: DefinedRoute<R>, handler: RouteHandler<R, AppEnv>): void {
  const gated = (async (c: RouteContext<R>) => {
    await admit(c, guard);
    return handler(c, async () => {});
  }) as unknown as RouteHandler<R, AppEnv>;
  app.openapi(route, gated);
}
