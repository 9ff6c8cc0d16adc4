// GET/POST /users, GET/PATCH/DELETE /users/:id.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../app-env.ts';
import { AppError } from '../../errors.ts';
import { gate, idParam } from '../../middleware/gate.ts';
import { keys } from '../../redis/keys.ts';
import { createUser, deleteUser, getUser, listUsers, updateUser, userKeys } from '../../services/users/users-service.ts';
import { currentUser } from '../current-user.ts';
import { bearerSecurity, errors, IdParam } from '../openapi.ts';
import { Email, jsonBody, jsonResponse, listOf, Name, normalizeEmail, normalizePlate, Password, Plate, Role, UserSchema } from '../schemas.ts';

const CreateUserBody = z
  .strictObject({ email: Email, password: Password, name: Name, vehicle_plate: Plate.optional(), role: Role.optional() })
  .openapi('CreateUserRequest');
const UpdateUserBody = z
  .strictObject({ name: Name.optional(), vehicle_plate: Plate.nullable().optional(), password: Password.optional(), role: Role.optional() })
  .openapi('UpdateUserRequest');

/** A user's own caches, plus their session map (a password change or deletion ends sessions). */
const userWriteKeys = (c: Context<AppEnv>) => {
  const id = idParam(c);
  return id ? [...userKeys(id), keys.userSession(id)] : [];
};

const listRoute = createRoute({
  method: 'get',
  path: '/users',
  tags: ['Users'],
  summary: 'All users (admin)',
  security: bearerSecurity,
  middleware: [gate({ access: 'admin', prefetch: () => [keys.usersAll] })] as const,
  responses: { 200: jsonResponse('Every user', listOf(UserSchema)), ...errors('unauthorized', 'forbidden') },
});

const createUserRoute = createRoute({
  method: 'post',
  path: '/users',
  tags: ['Users'],
  summary: 'Create a user of either role (admin)',
  security: bearerSecurity,
  middleware: [gate({ access: 'admin', holds: () => [keys.usersAll] })] as const,
  request: { body: jsonBody(CreateUserBody) },
  responses: { 201: jsonResponse('Created', UserSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'email_taken') },
});

const getRoute = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags: ['Users'],
  summary: 'One user (admin, or the user themself)',
  security: bearerSecurity,
  middleware: [gate({ access: 'signed-in', prefetch: (c) => [idParam(c)].flatMap((id) => (id ? [keys.user(id)] : [])) })] as const,
  request: { params: IdParam },
  responses: { 200: jsonResponse('The user', UserSchema), ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
});

const updateRoute = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags: ['Users'],
  summary: 'Change name, plate, password; role (admin only)',
  description: 'A user changes only themself and never their role. A new password ends the user\'s other sessions.',
  security: bearerSecurity,
  middleware: [gate({ access: 'signed-in', holds: userWriteKeys })] as const,
  request: { params: IdParam, body: jsonBody(UpdateUserBody) },
  responses: { 200: jsonResponse('The changed user', UserSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'not_found', 'last_admin') },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/users/{id}',
  tags: ['Users'],
  summary: 'Delete a user (admin)',
  description: 'Refused with 409 `user_has_active_reservation` while the user holds a reserved or parked reservation. Their sessions end with them.',
  security: bearerSecurity,
  middleware: [gate({ access: 'admin', holds: userWriteKeys })] as const,
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found', 'user_has_active_reservation', 'last_admin') },
});

export function registerUserRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => c.json({ data: await listUsers(c.var.deps) }, 200));

  app.openapi(createUserRoute, async (c) => {
    const body = c.req.valid('json');
    const user = await createUser(c.var.deps, { ...body, email: normalizeEmail(body.email), vehicle_plate: normalizePlate(body.vehicle_plate) });
    return c.json(user, 201);
  });

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const caller = currentUser(c);
    if (caller.role !== 'admin' && caller.id !== id) throw new AppError('forbidden', 'You may only see your own account.');
    return c.json(await getUser(c.var.deps, id), 200);
  });

  app.openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const user = await updateUser(c.var.deps, currentUser(c), c.var.sessionHash ?? null, id, { ...body, vehicle_plate: normalizePlate(body.vehicle_plate) });
    return c.json(user, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    await deleteUser(c.var.deps, currentUser(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
}
