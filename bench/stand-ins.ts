// npm run bench:stand-ins — how many requests per second each stand-in serves on this machine, driven the
// way the Worker drives them (HTTP + JSON, keep-alive). The clients run in the same Node process as the
// stand-ins and share its two cores, so the figures are a floor for the stand-ins alone.
import { startStack } from '../dev/lib/stack.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

async function hammer(name: string, send: () => Promise<Response>): Promise<string> {
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const res = await send();
        await res.arrayBuffer();
        if (res.ok) done += 1;
        else failed += 1;
      }
    }),
  );
  return `| ${name} | ${Math.round(done / SECONDS)} | ${failed} |`;
}

const stack = await startStack({
  redis: { host: '127.0.0.1', port: 6379, db: 0 },
  privateRedis: true,
  databaseUrl: `postgresql://postgres@127.0.0.1:5432/parkedge_bench_${process.pid}`,
  recreateDatabase: true,
  redisToken: 'bench',
});
try {
  const redis = (body: string, path = '') => () =>
    fetch(`${stack.redisRest.url}${path}`, { method: 'POST', headers: { authorization: 'Bearer bench', 'upstash-encoding': 'base64' }, body });
  const sql = (query: string) => () =>
    fetch(stack.neonHttp.sqlEndpoint, {
      method: 'POST',
      headers: { 'neon-connection-string': stack.databaseUrl, 'neon-raw-text-output': 'true', 'neon-array-mode': 'true' },
      body: JSON.stringify({ query, params: [] }),
    });
  const ten = JSON.stringify(Array.from({ length: 10 }, (_, i) => ['INCR', `bench:${i}`]));
  const rows = [
    await hammer('Upstash stand-in: POST / INCR', redis('["INCR","bench:n"]')),
    await hammer('Upstash stand-in: /pipeline of 10 INCR', redis(ten, '/pipeline')),
    await hammer('Upstash stand-in: /multi-exec of 10 INCR', redis(ten, '/multi-exec')),
    await hammer(`Neon stand-in (${stack.postgresKind}): SELECT 1`, sql('SELECT 1')),
  ];
  console.log(`\nRequests per second, ${CONCURRENCY} concurrent keep-alive clients, ${SECONDS} s each (this machine)\n`);
  console.log(['| request | requests/s | failed |', '|---|---|---|', ...rows].join('\n'));
} finally {
  await stack.stop();
  const { dropDatabase } = await import('../dev/lib/database.ts');
  await dropDatabase(stack.databaseUrl).catch(() => {});
}
