// POST /auth/register, POST /auth/login, POST /auth/logout, GET /auth/me.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../app-env.ts';
import { clientIp, rateLimitHeaders } from '../../middleware/gate.ts';
import { login, LoginRefused } from '../../services/auth/login.ts';
import { logout } from '../../services/auth/logout.ts';
import { register } from '../../services/users/users-service.ts';
import { currentUser } from '../current-user.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, jsonBody, jsonResponse } from '../openapi.ts';
import { Email, Name, Password, Plate } from '../../schemas/fields.ts';
import { SessionSchema, UserSchema } from '../../schemas/users.ts';

const RegisterBody = z.strictObject({ email: Email, password: Password, name: Name, vehicle_plate: Plate.optional() }).meta({ id: 'RegisterRequest' });
const LoginBody = z.strictObject({ email: Email, password: z.string().min(1).max(128) }).meta({ id: 'LoginRequest' });

const registerRoute = defineRoute(
  {
    method: 'post',
    path: '/auth/register',
    tags: ['Accounts'],
    summary: 'Create an account (role `user`) and sign in',
    request: { body: jsonBody(RegisterBody) },
    responses: { 201: jsonResponse('Account created, signed in', SessionSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'email_taken') },
  },
  { access: 'anyone' },
);

const loginRoute = defineRoute(
  {
    method: 'post',
    path: '/auth/login',
    tags: ['Accounts'],
    summary: 'Sign in',
    description: 'The same 401 `invalid_credentials`, in the same time, for an unknown email and a wrong password. After 10 failures in 15 minutes for one IP and email: 429.',
    request: { body: jsonBody(LoginBody) },
    responses: { 200: jsonResponse('Signed in', SessionSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'invalid_credentials') },
  },
  { access: 'anyone' },
);

const logoutRoute = defineRoute(
  {
    method: 'post',
    path: '/auth/logout',
    tags: ['Accounts'],
    summary: 'End this session',
    description: 'The token is refused (401) from then on, whether or not Redis was reachable.',
    responses: { 204: { description: 'Signed out' }, ...errors('unauthorized') },
  },
  { access: 'signed-in' },
);

const meRoute = defineRoute(
  {
    method: 'get',
    path: '/auth/me',
    tags: ['Accounts'],
    summary: 'The signed-in user',
    responses: { 200: jsonResponse('The caller', UserSchema), ...errors('unauthorized') },
  },
  { access: 'signed-in' },
);

export function registerAuthRoutes(app: OpenAPIHono<AppEnv>): void {
  serve(app, registerRoute, async (c) => {
    const body = c.req.valid('json');
    return c.json(await register(c.var.deps, { ...body, vehicle_plate: body.vehicle_plate ?? null }), 201);
  });

  serve(app, loginRoute, async (c) => {
    const body = c.req.valid('json');
    try {
      return c.json(await login(c.var.deps, clientIp(c), body.email, body.password), 200);
    } catch (error) {
      if (error instanceof LoginRefused) rateLimitHeaders(c, error.limit);
      throw error;
    }
  });

  serve(app, logoutRoute, async (c) => {
    await logout(c.var.deps, currentUser(c).id, c.var.sessionHash!);
    return c.body(null, 204);
  });

  serve(app, meRoute, (c) => c.json(currentUser(c), 200));
}
