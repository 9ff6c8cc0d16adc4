// The admin dashboard page: headline numbers, the daily chart, response codes, top endpoints, the cache and
// the Redis server, from one Dashboard snapshot. Static HTML and inline SVG, no script: a reload is the
// refresh. When Redis is down the page says so at the top and in every section whose figures live there, and
// still shows what Postgres holds (the daily history).
import type { Dashboard } from '../../../schemas/dashboard.ts';
import { DailyChart } from './daily-chart.tsx';
import { DailySummary, DailyTable } from './daily-table.tsx';
import { formatCount, formatDuration, formatPercent, formatTimestamp } from './format.ts';
import { AdminPage, renderPage, SignOutForm } from './layout.tsx';
import { OccupancySection } from './occupancy-chart.tsx';
import { ResponseCodeChart } from './response-chart.tsx';
import { CacheSection, CountersTable, RedisServer, TopEndpoints, Unavailable } from './sections.tsx';

export interface DashboardOptions {
  csrf: string;
  user: { email: string; name: string };
  /** `?lot=` asked for a lot that does not exist. */
  missingLot?: number;
}

interface Headline {
  metric: string;
  label: string;
  value: number | null;
  format?: (n: number) => string;
}

/** The numbers of the JSON's `metrics` (the top-level copies only where metrics are missing). */
function headlines(data: Dashboard): Headline[] {
  const m = data.metrics;
  return [
    { metric: 'total_api_calls', label: 'API calls', value: m?.total_api_calls ?? null },
    { metric: 'total_reservations', label: 'Reservations', value: m?.total_reservations ?? null },
    { metric: 'total_logins', label: 'Logins', value: m?.total_logins ?? null },
    { metric: 'total_registrations', label: 'Registrations', value: m?.total_registrations ?? null },
    { metric: 'active_users', label: 'Active users', value: m?.active_users ?? data.active_users },
    { metric: 'cache_hit_rate', label: 'Cache hit rate', value: m?.cache_hit_rate ?? data.cache?.hit_rate ?? null, format: formatPercent },
    { metric: 'rate_limit_violations', label: 'Rate-limit violations', value: m?.rate_limit_violations ?? data.rate_limit_violations },
  ];
}

/** The text of a headline without a number: Redis down, or (hit rate only) no cache lookup yet. */
const missing = (data: Dashboard, metric: string) => (data.metrics === null ? 'unavailable' : metric === 'cache_hit_rate' ? 'no lookups yet' : 'unavailable');

/** The class of a headline's value: unavailable (red), not yet known (muted), or a long number set smaller. */
function valueClass(value: number | null, text: string): string | undefined {
  if (value === null) return text === 'unavailable' ? 'na' : 'none';
  return text.length > 13 ? 'longer' : text.length > 9 ? 'long' : undefined;
}

/** A long number may wrap only after a thousands separator, never inside a group. */
const breakable = (text: string) => text.split(',').flatMap((group, i) => (i === 0 ? [group] : [',', <wbr />, group]));

function Cards({ data }: { data: Dashboard }) {
  return (
    <dl class="cards">
      {headlines(data).map(({ metric, label, value, format = formatCount }) => {
        const text = value === null ? missing(data, metric) : format(value);
        return (
          <div class="card">
            <dt>{label}</dt>
            <dd class={valueClass(value, text)} data-metric={metric} data-value={value === null ? '' : String(value)}>
              {breakable(text)}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function RedisDownBanner({ error }: { error: string | null }) {
  return (
    <div class="alert" role="alert" data-testid="redis-down">
      <strong>Redis cannot be reached.</strong>
      <p>
        The figures kept in Redis (counters, response codes, endpoints, cache, server facts) are unavailable. The page
        shows what Postgres holds: the daily history until yesterday's compaction.
      </p>
      {error && <p class="mono">{`Reason: ${error}`}</p>}
    </div>
  );
}

export function DashboardPage({ data, options }: { data: Dashboard; options: DashboardOptions }) {
  const redisDown = data.redis.available === false;
  const metrics = data.metrics;
  return (
    <AdminPage title="Redis dashboard · ParkEdge admin">
      <header class="top">
        <h1>ParkEdge · Redis dashboard</h1>
        <div class="who">
          <span>
            Signed in as <strong>{options.user.name}</strong> <span class="mono">({options.user.email})</span>
          </span>
          <SignOutForm csrf={options.csrf} />
        </div>
      </header>
      <main id="dashboard">
        {redisDown && <RedisDownBanner error={data.redis.available === false ? data.redis.error : null} />}
        <p class="meta">
          Snapshot generated at <time datetime={data.generated_at}>{formatTimestamp(data.generated_at)}</time>
          {data.cache_seconds > 0 ? ` (a snapshot is reused for up to ${formatDuration(data.cache_seconds)})` : ''}. Reload the page for newer figures.
        </p>

        <section aria-labelledby="h-headlines">
          <h2 id="h-headlines" class="visually-hidden">Headline numbers</h2>
          <Cards data={data} />
        </section>

        <section class="panel" id="daily" aria-labelledby="h-daily">
          <h2 id="h-daily">{`Daily activity, last ${data.daily.logins.length} days`}</h2>
          <div class="daily-layout">
            <div class="chart chart-daily">
              <DailyChart daily={data.daily} />
            </div>
            <div>
              <DailySummary daily={data.daily} />
              {redisDown && <p class="note">The most recent days are counted in Redis until the nightly compaction moves them to Postgres: they may read low while Redis is unreachable.</p>}
              <DailyTable daily={data.daily} />
            </div>
          </div>
        </section>

        <OccupancySection occupancy={data.lot_occupancy} missing={options.missingLot} />

        <div class="columns">
          <section class="panel" id="responses" aria-labelledby="h-responses">
            <h2 id="h-responses">Responses by status code</h2>
            {metrics === null ? <Unavailable what="Response codes" /> : (
              <div class="chart chart-codes">
                <ResponseCodeChart codes={data.response_codes} />
              </div>
            )}
          </section>
          <section class="panel" id="endpoints" aria-labelledby="h-endpoints">
            <h2 id="h-endpoints">Top endpoints</h2>
            {metrics === null ? <Unavailable what="Endpoint calls" /> : <TopEndpoints endpoints={data.top_endpoints} totalCalls={metrics.total_api_calls} />}
          </section>
        </div>

        <div class="columns">
          <section class="panel" id="cache" aria-labelledby="h-cache">
            <h2 id="h-cache">Cache</h2>
            {data.cache === null ? <Unavailable what="Cache figures" /> : <CacheSection cache={data.cache} />}
          </section>
          <section class="panel" id="redis-server" aria-labelledby="h-redis">
            <h2 id="h-redis">Redis server</h2>
            {data.redis.available ? <RedisServer redis={data.redis} /> : <Unavailable what="Server facts" />}
          </section>
        </div>

        <section class="panel" id="counters-section" aria-labelledby="h-counters">
          <h2 id="h-counters">All counters</h2>
          {metrics === null ? <Unavailable what="Counters" /> : <CountersTable metrics={metrics} />}
        </section>
      </main>
    </AdminPage>
  );
}

/** The dashboard as a complete HTML document. Send it with `adminPageHeaders()`. */
export function renderDashboardPage(data: Dashboard, options: DashboardOptions): Promise<string> {
  return renderPage(<DashboardPage data={data} options={options} />);
}
