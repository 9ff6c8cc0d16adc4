// Every list is a page: `?limit=&cursor=` in, `{data, next_cursor}` out. Keyset pagination: the cursor holds
// the sort key of the last row of the page (opaque to clients), so a page costs its own rows whatever the size
// of the table, and walking the pages while rows are added or removed never skips or repeats one.
import { z } from 'zod';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .default(DEFAULT_PAGE)
    .meta({ param: { name: 'limit', in: 'query' }, description: `Rows per page, 1 to ${MAX_PAGE}; ${DEFAULT_PAGE} when not given.` }),
  cursor: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .meta({ param: { name: 'cursor', in: 'query' }, description: 'The `next_cursor` of the previous page; none for the first page.' }),
});

export type PageRequest = z.infer<typeof PageQuery>;

export const pageOf = <T extends z.ZodType>(schema: T) =>
  z.object({
    data: z.array(schema),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  });

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
