// Keyset cursors: the sort key of the last row of a page, as unpadded base64url of a small JSON value tagged
// with the list it belongs to. Opaque to clients; a malformed or foreign cursor is 422, never a 500.
import { AppError } from '../errors.ts';
import type { Page, PageRequest } from '../schemas/pagination.ts';

export type SortKey = (string | number)[];

function toBase64url(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text))).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text: string): string {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}

export function encodeCursor(list: string, key: SortKey): string {
  return toBase64url(JSON.stringify({ l: list, k: key }));
}

const badCursor = () =>
  new AppError('validation_failed', 'Some fields are invalid.', [{ field: 'cursor', in: 'query', message: 'not a cursor of this list: pass a next_cursor as it was given' }]);

/**
 * The sort key a cursor of `list` holds, checked against `shape` (one type per key part); undefined for no
 * cursor (the first page).
 */
export function decodeCursor(list: string, cursor: string | undefined, shape: readonly ('string' | 'number')[]): SortKey | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(fromBase64url(cursor));
  } catch {
    throw badCursor();
  }
  const { l, k } = (value ?? {}) as { l?: unknown; k?: unknown };
  if (l !== list || !Array.isArray(k) || k.length !== shape.length) throw badCursor();
  const fits = k.every((part, i) => typeof part === shape[i] && (typeof part !== 'number' || Number.isFinite(part)));
  if (!fits) throw badCursor();
  return k as SortKey;
}

/**
 * A page from `limit + 1` rows fetched in sort order: the extra row only says that there is a next page, whose
 * cursor is the key of the page's last row.
 */
export function toPage<T>(list: string, rows: T[], request: PageRequest, keyOf: (row: T) => SortKey): Page<T> {
  const data = rows.slice(0, request.limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > request.limit && last !== undefined ? encodeCursor(list, keyOf(last)) : null };
}

/** The first page at the default size: the page kept in `users:all` and `parking_lots:all`. */
export function isFirstPage(request: PageRequest, defaultLimit: number): boolean {
  return request.cursor === undefined && request.limit === defaultLimit;
}
