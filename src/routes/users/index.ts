// GET/POST /users, GET/PATCH/DELETE /users/:id.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../app-env.ts';
import { keys } from '../../redis/keys.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../services/users/users-service.ts';
import { currentUser } from '../current-user.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, IdParam, jsonBody, jsonResponse } from '../openapi.ts';
import { Email, Name, Password, Plate, Role } from '../../schemas/fields.ts';
import { DEFAULT_PAGE, PageQuery, pageOf } from '../../schemas/pagination.ts';
import { isFirstPage } from '../../services/pagination.ts';
import { UserSchema } from '../../schemas/users.ts';

const CreateUserBody = z
  .strictObject({ email: Email, password: Password, name: Name, vehicle_plate: Plate.optional(), role: Role.optional() })
  .meta({ id: 'CreateUserRequest' });
const UpdateUserBody = z
  .strictObject({ name: Name.optional(), vehicle_plate: Plate.nullable().optional(), password: Password.optional(), role: Role.optional() })
  .meta({ id: 'UpdateUserRequest' });

const listRoute = defineRoute(
  {
    method: 'get',
    path: '/users',
    tags: ['Users'],
    summary: 'The users, a page at a time (admin)',
    description: `In id order. The first page at the default size is served from the cache (\`users:all\`).`,
    request: { query: PageQuery },
    responses: { 200: jsonResponse('A page of users', pageOf(UserSchema)), ...errors('validation_failed', 'unauthorized', 'forbidden') },
  },
  { access: 'admin', prefetch: (c) => (isFirstPage(c.req.valid('query'), DEFAULT_PAGE) ? [keys.usersAll] : []) },
);

const createUserRoute = defineRoute(
  {
    method: 'post',
    path: '/users',
    tags: ['Users'],
    summary: 'Create a user of either role (admin)',
    request: { body: jsonBody(CreateUserBody) },
    responses: { 201: jsonResponse('Created', UserSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'email_taken') },
  },
  { access: 'admin' },
);

const getRoute = defineRoute(
  {
    method: 'get',
    path: '/users/{id}',
    tags: ['Users'],
    summary: 'One user (admin, or the user themself)',
    request: { params: IdParam },
    responses: { 200: jsonResponse('The user', UserSchema), ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'signed-in', prefetch: (c) => [keys.user(c.req.valid('param').id)] },
);

const updateRoute = defineRoute(
  {
    method: 'patch',
    path: '/users/{id}',
    tags: ['Users'],
    summary: 'Change name, plate, password; role (admin only)',
    description: 'A user changes only themself and never their role. A new password ends the user\'s other sessions.',
    request: { params: IdParam, body: jsonBody(UpdateUserBody) },
    responses: { 200: jsonResponse('The changed user', UserSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'not_found', 'last_admin') },
  },
  { access: 'signed-in' },
);

const deleteRoute = defineRoute(
  {
    method: 'delete',
    path: '/users/{id}',
    tags: ['Users'],
    summary: 'Delete a user (admin)',
    description: 'Refused with 409 `user_has_active_reservation` while the user holds a reserved or parked reservation. Their sessions end with them.',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found', 'user_has_active_reservation', 'last_admin') },
  },
  { access: 'admin' },
);

export function registerUserRoutes(app: OpenAPIHono<AppEnv>): void {
  serve(app, listRoute, async (c) => c.json(await listUsers(c.var.deps, c.req.valid('query')), 200));

  serve(app, createUserRoute, async (c) => {
    const body = c.req.valid('json');
    return c.json(await createUser(c.var.deps, body), 201);
  });

  serve(app, getRoute, async (c) => {
    return c.json(await getUser(c.var.deps, currentUser(c), c.req.valid('param').id), 200);
  });

  serve(app, updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const user = await updateUser(c.var.deps, currentUser(c), c.var.sessionHash ?? null, id, body);
    return c.json(user, 200);
  });

  serve(app, deleteRoute, async (c) => {
    await deleteUser(c.var.deps, currentUser(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
}
