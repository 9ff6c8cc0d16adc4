// Which URLs a webhook may call. A webhook makes this Worker send requests where an operator says, so a target
// must be a public https endpoint: not a private, loopback, link-local or otherwise special address, whether the
// URL names it or its host name resolves to it. In development (local tests) http and loopback are allowed, and
// only those: a receiver on 127.0.0.1 is how the tests listen.
import { AppError } from '../../errors.ts';

type Environment = 'production' | 'development';

/** Resolves a host name to its addresses (A and AAAA); undefined when it does not resolve. */
export type Resolver = (host: string) => Promise<string[] | undefined>;

const refuse = (message: string) => new AppError('validation_failed', 'Some fields are invalid.', [{ field: 'url', in: 'body', message }]);

function ipv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** loopback | special (private, link-local, shared, multicast, reserved) | public */
function classifyV4(address: number[]): 'loopback' | 'special' | 'public' {
  const [a = 0, b = 0] = address;
  if (a === 127) return 'loopback';
  const special =
    a === 0 || a === 10 || a >= 224 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19));
  return special ? 'special' : 'public';
}

function classifyV6(text: string): 'loopback' | 'special' | 'public' {
  const address = text.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return classify(mapped[1]!) ?? 'special';
  // URL gives a mapped v4 address in hex (::ffff:7f00:1)
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mappedHex) {
    const [hi, lo] = [parseInt(mappedHex[1]!, 16), parseInt(mappedHex[2]!, 16)];
    return classifyV4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  if (address === '::1') return 'loopback';
  if (address === '::' || /^f[cd]/.test(address) || /^fe[89ab]/.test(address) || address.startsWith('ff') || address.startsWith('64:ff9b:') || address.startsWith('2001:db8:')) return 'special';
  return 'public';
}

/** What an address literal is; null for a host name. */
export function classify(host: string): 'loopback' | 'special' | 'public' | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v4 = ipv4(bare);
  if (v4) return classifyV4(v4);
  if (bare.includes(':')) return classifyV6(bare);
  return null;
}

const localNames = /(^|\.)(localhost|local|internal|localdomain|home\.arpa|lan)$/i;

/**
 * The URL as it will be called, or a 422 naming the field `url`. In production a host name is resolved (DNS over
 * HTTPS) and refused when any of its addresses is not public.
 */
export async function checkTargetUrl(text: string, environment: Environment, resolve: Resolver): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse('not a URL');
  }
  const development = environment === 'development';
  if (url.protocol !== 'https:' && !(development && url.protocol === 'http:')) throw refuse(development ? 'must be an http(s) URL' : 'must be an https URL');
  if (url.username || url.password) throw refuse('must not carry a user name or password');
  if (url.hash) throw refuse('must not carry a #fragment');
  const host = url.hostname;
  const literal = classify(host);
  const loopbackName = /^localhost$/i.test(host) || /\.localhost$/i.test(host);
  if (development && (literal === 'loopback' || loopbackName)) return url.toString();
  if (literal === 'loopback' || literal === 'special' || loopbackName) throw refuse('must not name a private, loopback or link-local address');
  if (literal === 'public') return url.toString();
  if (!host.includes('.') || localNames.test(host)) throw refuse('must name a public host');
  if (development) return url.toString();
  const addresses = await resolve(host).catch(() => undefined);
  if (!addresses || addresses.length === 0) throw refuse('its host name does not resolve');
  if (addresses.some((address) => classify(address) !== 'public')) throw refuse('its host name resolves to a private, loopback or link-local address');
  return url.toString();
}

interface DnsAnswer {
  Status: number;
  Answer?: { type: number; data: string }[];
}

/** Cloudflare's DNS over HTTPS (JSON API): the A and AAAA records of a host. */
export const dohResolver: Resolver = async (host) => {
  const ask = async (type: 'A' | 'AAAA') => {
    const response = await fetch(`https://cloudflare-dns.com/dns-query?name=${encodeURIComponent(host)}&type=${type}`, {
      headers: { accept: 'application/dns-json' },
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) throw new Error(`DNS over HTTPS answered ${response.status}`);
    const answer = (await response.json()) as DnsAnswer;
    // Only address records: a CNAME's target is followed by the resolver and listed after it.
    return (answer.Answer ?? []).filter((a) => a.type === 1 || a.type === 28).map((a) => a.data);
  };
  const [a, aaaa] = await Promise.all([ask('A'), ask('AAAA')]);
  const all = [...a, ...aaaa];
  return all.length > 0 ? all : undefined;
};
