// What the API (and the Redis cache) may show of a user: everything but the password hash.
import type { users } from '../../db/schema.ts';

export type Role = 'user' | 'admin';

export interface PublicUser {
  id: number;
  email: string;
  name: string;
  vehicle_plate: string | null;
  role: Role;
  created_at: string;
  updated_at: string;
}

export function toPublicUser(row: typeof users.$inferSelect): PublicUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    vehicle_plate: row.vehiclePlate,
    role: row.role,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}
