// Password hashing with PBKDF2-HMAC-SHA256 from WebCrypto, which runs natively inside Workers (and in
// Node, for the seed script). Workers cap PBKDF2 at 100 000 iterations; the parameters are stored in each
// hash, so they can be raised later and old hashes still verify.
const ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BITS = 256;
const PREFIX = 'pbkdf2-sha256';

const encoder = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, ITERATIONS);
  return `${PREFIX}$${ITERATIONS}$${toBase64(salt)}$${toBase64(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, iterations, salt, hash] = stored.split('$');
  if (prefix !== PREFIX || !iterations || !salt || !hash) return false;
  const actual = await derive(password, fromBase64(salt), Number(iterations));
  return equalInConstantTime(actual, fromBase64(hash));
}

/**
 * A hash no password matches (of random bytes nobody kept): a sign-in for an unknown email is checked
 * against it, so it costs the same time as a wrong password.
 */
export const UNMATCHABLE_HASH = `${PREFIX}$${ITERATIONS}$q3mKx0LJ2b0n0lBqVn7yVQ==$8d6oWj4m3b3qk9gVGx2v6P0b2f3Rk1N4xW5yZ7aB9cE=`;
