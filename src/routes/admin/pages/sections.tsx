// The dashboard's tables and fact lists. A section whose figures live in Redis says "unavailable" when Redis
// could not be asked, rather than showing zeros that would look like a quiet day.
import type { Child } from 'hono/jsx';
import type { Analytics } from '../../../schemas/analytics.ts';
import type { CacheInfo, RedisServer } from '../../../schemas/dashboard.ts';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format.ts';

export function Unavailable({ what }: { what: string }) {
  return <p class="unavailable">{`${what} unavailable: Redis cannot be reached.`}</p>;
}

/** A table that scrolls sideways on its own on a narrow screen, instead of widening the page. */
function Scroll({ label, children }: { label: string; children?: Child }) {
  return (
    <div class="scroll" tabindex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

export function TopEndpoints({ endpoints, totalCalls }: { endpoints: { endpoint: string; count: number }[]; totalCalls: number | null }) {
  if (endpoints.length === 0) return <p class="note">No API calls counted yet.</p>;
  return (
    <Scroll label="Top endpoints">
      <table id="top-endpoints">
        <caption>Most called routes first</caption>
        <thead>
          <tr>
            <th scope="col" class="num">#</th>
            <th scope="col">Endpoint</th>
            <th scope="col" class="num">Calls</th>
            <th scope="col" class="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.map((row, i) => (
            <tr data-endpoint={row.endpoint}>
              <td class="num">{String(i + 1)}</td>
              <td class="endpoint"><code>{row.endpoint}</code></td>
              <td class="num" data-value={String(row.count)}>{formatCount(row.count)}</td>
              <td class="num">{totalCalls ? formatPercent(row.count / totalCalls) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}

const ttl = (seconds: number | null) => (seconds === null ? '–' : formatDuration(seconds));

export function CacheSection({ cache }: { cache: CacheInfo }) {
  return (
    <>
      <dl class="facts">
        <div><dt>Hit rate</dt><dd data-testid="cache-hit-rate" data-value={cache.hit_rate === null ? '' : String(cache.hit_rate)}>
          {cache.hit_rate === null ? 'no lookups yet' : formatPercent(cache.hit_rate)}</dd></div>
        <div><dt>Hits</dt><dd>{formatCount(cache.hits)}</dd></div>
        <div><dt>Misses</dt><dd>{formatCount(cache.misses)}</dd></div>
        <div><dt>Keys scanned</dt><dd>{formatCount(cache.scanned_keys)}</dd></div>
      </dl>
      {cache.truncated && (
        <p class="note">{`The scan stopped after ${formatCount(cache.scanned_keys)} keys: the counts below cover only those.`}</p>
      )}
      <h3>Keys per namespace</h3>
      {cache.namespaces.length === 0 ? (
        <p class="note">No keys found.</p>
      ) : (
        <Scroll label="Cache namespaces">
          <table id="cache-namespaces">
            <caption>TTLs are the time left, at the snapshot</caption>
            <thead>
              <tr>
                <th scope="col">Namespace</th>
                <th scope="col" class="num">Keys</th>
                <th scope="col" class="num">With TTL</th>
                <th scope="col" class="num">Min TTL</th>
                <th scope="col" class="num">Avg TTL</th>
                <th scope="col" class="num">Max TTL</th>
              </tr>
            </thead>
            <tbody>
              {cache.namespaces.map((ns) => (
                <tr data-namespace={ns.namespace}>
                  <td class="ns"><code>{ns.namespace}</code></td>
                  <td class="num" data-value={String(ns.keys)}>{formatCount(ns.keys)}</td>
                  <td class="num">{formatCount(ns.keys_with_ttl)}</td>
                  <td class="num">{ttl(ns.min_ttl_seconds)}</td>
                  <td class="num">{ttl(ns.avg_ttl_seconds)}</td>
                  <td class="num">{ttl(ns.max_ttl_seconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  );
}

const orUnknown = <T,>(value: T | null, format: (v: T) => string) => (value === null ? 'unknown' : format(value));

export function RedisServer({ redis }: { redis: Extract<RedisServer, { available: true }> }) {
  const facts: [string, string][] = [
    ['Version', orUnknown(redis.version, String)],
    ['Mode', orUnknown(redis.mode, String)],
    ['Uptime', orUnknown(redis.uptime_seconds, formatDuration)],
    ['Memory used', orUnknown(redis.used_memory_bytes, formatBytes)],
    ['Memory peak', orUnknown(redis.used_memory_peak_bytes, formatBytes)],
    // Redis reports maxmemory 0 for "no limit".
    ['Memory limit', orUnknown(redis.maxmemory_bytes, (b) => (b === 0 ? 'no limit' : formatBytes(b)))],
    ['Connected clients', orUnknown(redis.connected_clients, formatCount)],
    ['Operations per second', orUnknown(redis.ops_per_sec, formatCount)],
    ['Commands processed', orUnknown(redis.total_commands_processed, formatCount)],
    ['Keyspace hits', orUnknown(redis.keyspace_hits, formatCount)],
    ['Keyspace misses', orUnknown(redis.keyspace_misses, formatCount)],
    ["Keys in the app's database", formatCount(redis.keys)],
  ];
  const dbs = Object.entries(redis.keys_per_db);
  return (
    <>
      <dl class="facts">
        {facts.map(([name, value]) => (
          <div><dt>{name}</dt><dd>{value}</dd></div>
        ))}
      </dl>
      <h3>Keys per database</h3>
      {dbs.length === 0 ? (
        <p class="note">No database holds keys.</p>
      ) : (
        <Scroll label="Keys per database">
          <table id="keys-per-db">
            <thead>
              <tr><th scope="col">Database</th><th scope="col" class="num">Keys</th></tr>
            </thead>
            <tbody>
              {dbs.map(([db, count]) => (
                <tr data-db={db}><td><code>{db}</code></td><td class="num" data-value={String(count)}>{formatCount(count)}</td></tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </>
  );
}

/** Every counter of the contract, under the names the JSON answer uses. */
export function CountersTable({ metrics }: { metrics: Analytics }) {
  const rows = Object.entries(metrics).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[0] !== 'cache_hit_rate');
  return (
    <Scroll label="All counters">
      <table id="counters">
        <thead>
          <tr><th scope="col">Counter</th><th scope="col" class="num">Value</th></tr>
        </thead>
        <tbody>
          {rows.map(([name, value]) => (
            <tr data-counter={name}><td><code>{name}</code></td><td class="num" data-value={String(value)}>{formatCount(value)}</td></tr>
          ))}
        </tbody>
      </table>
    </Scroll>
  );
}
