// Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_` + base64 of random
// bytes; each request carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature:
// v1,<base64 HMAC-SHA256 of "id.timestamp.body" keyed with the secret's bytes>`, so any receiver verifies with
// the `standardwebhooks` libraries. WebCrypto only.

const PREFIX = 'whsec_';

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

/** A fresh signing secret: 24 random bytes (192 bits), as Standard Webhooks writes it. */
export function newSigningSecret(): string {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

function secretBytes(secret: string): Uint8Array {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  return Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
}

/** The three headers of a delivery of `body`, signed with `secret`, at `at`. */
export async function signatureHeaders(secret: string, messageId: string, body: string, at: Date): Promise<Record<string, string>> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = await crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${messageId}.${timestamp}.${body}`));
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${toBase64(new Uint8Array(mac))}` };
}

/** The `webhook-id` of a delivery: the same on every attempt and redelivery, so a receiver can drop repeats. */
export const messageIdOf = (deliveryId: number) => `msg_${deliveryId}`;
