import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../errors.ts';
import type { User } from '../schemas/users.ts';

/** The caller the gate signed in; the gate guarantees one on routes that are not open to anyone. */
export function currentUser(c: Context<AppEnv>): User {
  const user = c.var.user;
  if (!user) throw new AppError('unauthorized', 'Sign in first: send Authorization: Bearer <token>.');
  return user;
}
