// A user as the API (and the Redis cache) shows it: everything but the password hash; and a signed-in session.
import { z } from 'zod';
import { DbId, Role, Timestamp } from './fields.ts';

export const UserSchema = z
  .object({
    id: DbId,
    email: z.string(),
    name: z.string(),
    vehicle_plate: z.string().nullable(),
    role: Role,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: 'User' });

export type User = z.infer<typeof UserSchema>;

export const SessionSchema = z
  .object({
    user: UserSchema,
    token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`; valid 12 hours.' }),
    expires_at: Timestamp,
  })
  .meta({ id: 'Session' });

export type Session = z.infer<typeof SessionSchema>;
