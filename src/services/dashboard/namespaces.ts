// Cache keys per namespace, found with SCAN (never KEYS) inside one Lua script: one round trip whatever the
// keyspace, and a bound on the work (SCAN_LIMIT keys) so a large Redis is sampled, not blocked.
import type { Deps } from '../../deps.ts';
import { runScript, script } from '../../redis/scripts.ts';
import type { CacheNamespace } from './types.ts';

const SCAN_LIMIT = 10_000;
const SCAN_COUNT = 1_000;

const source = `
local limit, count = tonumber(ARGV[1]), ARGV[2]
local cursor, seen, stats, order = '0', 0, {}, {}
repeat
  local reply = redis.call('SCAN', cursor, 'COUNT', count)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do
    seen = seen + 1
    local ns = string.match(key, '^([^:]*)')
    local s = stats[ns]
    if not s then s = {0, 0, -1, -1, 0}; stats[ns] = s; order[#order + 1] = ns end
    s[1] = s[1] + 1
    local ttl = redis.call('TTL', key)
    if ttl >= 0 then
      s[2] = s[2] + 1
      s[5] = s[5] + ttl
      if s[3] < 0 or ttl < s[3] then s[3] = ttl end
      if ttl > s[4] then s[4] = ttl end
    end
  end
until cursor == '0' or seen >= limit
local out = {}
for _, ns in ipairs(order) do local s = stats[ns]; out[#out + 1] = {ns, s[1], s[2], s[3], s[4], s[5]} end
return {seen, cursor == '0' and 0 or 1, out}`;

const namespaceScript = script(source);

type Row = [string, number, number, number, number, number];

export interface NamespaceScan {
  namespaces: CacheNamespace[];
  scanned: number;
  truncated: boolean;
}

/** Queues the scan now (it joins the caller's round trip); resolves with the namespaces, largest first. */
export async function scanNamespaces(deps: Deps): Promise<NamespaceScan> {
  const [seen, truncated, rows] = await runScript<[number, number, Row[]]>(deps.gateway, namespaceScript, [], [String(SCAN_LIMIT), String(SCAN_COUNT)]);
  const namespaces = rows.map(([namespace, keys, withTtl, min, max, sum]) => ({
    namespace: String(namespace),
    keys: Number(keys),
    keys_with_ttl: Number(withTtl),
    min_ttl_seconds: Number(withTtl) > 0 ? Number(min) : null,
    max_ttl_seconds: Number(withTtl) > 0 ? Number(max) : null,
    avg_ttl_seconds: Number(withTtl) > 0 ? Math.round(Number(sum) / Number(withTtl)) : null,
  }));
  namespaces.sort((a, b) => b.keys - a.keys || a.namespace.localeCompare(b.namespace));
  return { namespaces, scanned: Number(seen), truncated: Number(truncated) === 1 };
}
