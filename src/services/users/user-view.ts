// What the API (and the Redis cache) may show of a user: everything but the password hash.
import { sql, type SQL } from 'drizzle-orm';
import type { users } from '../../db/schema.ts';
import type { User } from '../../schemas/users.ts';

export function toUser(row: typeof users.$inferSelect): User {
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

/** The same shape built in SQL, from a row of `users` named `alias`: for statements that return it directly. */
export function publicUserJson(alias: string): SQL {
  const a = sql.raw(alias);
  return sql`json_build_object('id', ${a}.id, 'email', ${a}.email, 'name', ${a}.name, 'vehicle_plate', ${a}.vehicle_plate,
    'role', ${a}.role, 'created_at', api_time(${a}.created_at), 'updated_at', api_time(${a}.updated_at))`;
}
