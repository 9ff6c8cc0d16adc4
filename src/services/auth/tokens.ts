// Session tokens: `pe_{user_id}_{secret}`, the secret 256 random bits. The user id lets the request's one
// Redis round trip look up `user_session:{user_id}` and the per-user rate limit before anything else is
// known; it proves nothing by itself: a session is found by the SHA-256 of the secret and must belong to that
// user. Only hashes are ever stored, in Postgres or Redis.
import { createHash } from 'node:crypto';
import { MAX_DB_ID } from '../../schemas/fields.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ParsedToken {
  userId: number;
  hash: string;
}

export interface NewSecret {
  secret: string;
  hash: string;
}

const TOKEN_SHAPE = /^pe_([1-9][0-9]{0,9})_([A-Za-z0-9_-]{43})$/;

/** `bytes` random bytes as unpadded base64url text. */
export function randomBase64url(bytes: number): string {
  const random = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...random)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newSecret(): NewSecret {
  const secret = randomBase64url(32);
  return { secret, hash: sha256(secret) };
}

export function tokenFor(userId: number, secret: string): string {
  return `pe_${userId}_${secret}`;
}

/** The user id a token claims and the hash of its secret; null for anything not shaped like our tokens. */
export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return null;
  const userId = Number(match[1]);
  if (userId > MAX_DB_ID) return null;
  return { userId, hash: sha256(match[2]!) };
}
