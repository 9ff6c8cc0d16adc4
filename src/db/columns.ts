// Column shapes shared by the schema's files.
import { timestamp } from 'drizzle-orm/pg-core';

/** Millisecond precision: what a JavaScript Date and the API's ISO strings carry, so values round-trip exactly. */
export const moment = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });
