// Cache keys per namespace, gathered from the Worker with SCAN pages: never KEYS, and never inside a script,
// since a script cannot declare the keys a SCAN finds, and Upstash runs such a script under a lock on the
// whole database for as long as it reads. Each page's TTLs leave in one pipeline together with the next
// page's SCAN, so every page costs one round trip; the first SCAN joins the dashboard's other reads.
//
// Bounded in pages and in time rather than sampled at random: SCAN walks the hash table, whose order has
// nothing to do with key names, so the first pages are already a fair sample of the namespaces, and the
// answer says how many keys it covers (`scanned`) and whether it stopped before the end (`truncated`).
import type { Deps } from '../../deps.ts';
import type { CacheNamespace } from '../../schemas/dashboard.ts';

/** Keys per SCAN page (a hint: Redis may return a few more), so each TTL pipeline holds about this many. */
export const SCAN_COUNT = 250;
/** Pages per dashboard load: at most about SCAN_COUNT × MAX_PAGES keys, and MAX_PAGES round trips. */
export const MAX_PAGES = 4;
/** No new page starts after this long; each round trip is bounded by the gateway's timeout besides. */
export const SCAN_BUDGET_MS = 1000;

export interface NamespaceScan {
  namespaces: CacheNamespace[];
  scanned: number;
  truncated: boolean;
}

interface Tally {
  keys: number;
  withTtl: number;
  min: number;
  max: number;
  sum: number;
}

type Page = { cursor: string; keys: string[] };

/** A failed read ends the scan (the dashboard then shows no namespaces): a partial tally would mislead. */
async function required<T>(read: Promise<T | null>): Promise<T> {
  const value = await read;
  if (value === null) throw new Error('Redis did not answer the scan');
  return value;
}

async function scanPage(deps: Deps, cursor: string): Promise<Page> {
  const [next, keys] = await required(deps.redis.read<[string | number, string[]]>((p) => p.scan(cursor, { count: SCAN_COUNT })));
  return { cursor: String(next), keys };
}

function ttls(deps: Deps, keys: string[]): Promise<number[]> {
  return Promise.all(keys.map((key) => required(deps.redis.read<number>((p) => p.ttl(key)))));
}

function tally(stats: Map<string, Tally>, keys: string[], seconds: number[]): void {
  keys.forEach((key, i) => {
    const ttl = Number(seconds[i]);
    if (ttl === -2) return; // expired between the SCAN and the TTL
    const namespace = key.split(':', 1)[0]!;
    let s = stats.get(namespace);
    if (!s) stats.set(namespace, (s = { keys: 0, withTtl: 0, min: Infinity, max: -Infinity, sum: 0 }));
    s.keys += 1;
    if (ttl < 0) return;
    s.withTtl += 1;
    s.sum += ttl;
    s.min = Math.min(s.min, ttl);
    s.max = Math.max(s.max, ttl);
  });
}

/** Queues the first page now (it joins the caller's round trip); resolves with the namespaces, largest first. */
export async function scanNamespaces(deps: Deps): Promise<NamespaceScan> {
  const started = Date.now();
  const seen = new Set<string>();
  const stats = new Map<string, Tally>();
  let page: Page | null = await scanPage(deps, '0');
  let pages = 1;
  let truncated = false;
  while (page) {
    const fresh: string[] = page.keys.filter((key) => !seen.has(key)); // SCAN may return a key twice
    for (const key of fresh) seen.add(key);
    const more = page.cursor !== '0';
    const goOn = more && pages < MAX_PAGES && Date.now() - started < SCAN_BUDGET_MS;
    truncated = more && !goOn;
    const nextPage: Promise<Page | null> = goOn ? scanPage(deps, page.cursor) : Promise.resolve(null);
    const [seconds, next] = await Promise.all([ttls(deps, fresh), nextPage]);
    tally(stats, fresh, seconds);
    page = next;
    pages += 1;
  }
  const namespaces = [...stats].map(([namespace, s]) => ({
    namespace,
    keys: s.keys,
    keys_with_ttl: s.withTtl,
    min_ttl_seconds: s.withTtl > 0 ? s.min : null,
    max_ttl_seconds: s.withTtl > 0 ? s.max : null,
    avg_ttl_seconds: s.withTtl > 0 ? Math.round(s.sum / s.withTtl) : null,
  }));
  namespaces.sort((a, b) => b.keys - a.keys || a.namespace.localeCompare(b.namespace));
  return { namespaces, scanned: seen.size, truncated };
}
