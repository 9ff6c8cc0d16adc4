// npm run bench:webhooks: how long a webhook event takes from its commit to the receiver (the loopback
// receiver of the test stack, verifying each signature with `standardwebhooks`), through the real outbox,
// queue (Miniflare's) and consumer; and the retry schedule a failing receiver sees (WEBHOOK_RETRY_BASE_SECONDS
// is 1 in vitest.config.ts; production's 30 doubles the same way).
import { it } from 'vitest';
import { book, makeAdmin, makeLot, makeUser, sql } from '../test/helpers/fixtures.ts';
import { subscribe, waitFor } from '../test/helpers/webhooks.ts';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms (n=${sorted.length})`;
};

async function measure(label: string, count: number, gapMs: number): Promise<void> {
  const admin = await makeAdmin();
  // A user books at most RATE_LIMIT_PER_HOUR (50) times an hour: a user per 40 bookings.
  const users = await Promise.all(Array.from({ length: Math.ceil(count / 40) }, () => makeUser()));
  const lot = await makeLot(admin, { capacity: count + 5 });
  const { receiver, webhook } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] });
  const answered = new Map<number, number>();
  for (let i = 0; i < count; i += 1) {
    const res = await book(users[Math.floor(i / 40)]!, lot.id);
    if (res.status !== 201) throw new Error(`booking: ${res.status} ${res.text}`);
    answered.set(res.body.id, Date.now());
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  const log = await waitFor(receiver.log, (l) => new Set(l.map((r) => r.id)).size >= count, 60_000);
  const rows = await sql`SELECT 'msg_' || d.id AS id, extract(epoch FROM e.created_at) * 1000 AS at FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id WHERE d.webhook_id = ${webhook.id}`;
  const committed = new Map(rows.map((r) => [r.id as string, Number(r.at)]));
  const first = new Map<string, (typeof log)[number]>();
  for (const r of log) if (!first.has(r.id)) first.set(r.id, r);
  const fromCommit = [...first.values()].map((r) => r.at - committed.get(r.id)!);
  const fromResponse = [...first.values()].map((r) => r.at - answered.get(Number(r.body!.data.id))!);
  console.log(`\n${label}: commit → receiver ${summary(fromCommit)}; response → receiver ${summary(fromResponse)}; repeats ${log.length - first.size}`);
}

it('prints the delivery delay, one booking at a time and back to back', { timeout: 180_000 }, async () => {
  await measure('bookings 100 ms apart', 100, 100);
  await measure('bookings back to back', 200, 0);
});

it('prints the retry schedule a receiver failing 3 times sees', { timeout: 60_000 }, async () => {
  const admin = await makeAdmin();
  const user = await makeUser();
  const lot = await makeLot(admin, { capacity: 5 });
  const { receiver } = await subscribe(admin, { events: ['reservation.created'], lot_ids: [lot.id] }, 3);
  await book(user, lot.id);
  const log = await waitFor(receiver.log, (l) => l.some((r) => r.answered === 204), 30_000);
  const gaps = log.slice(1).map((r, i) => ((r.at - log[i]!.at) / 1000).toFixed(2));
  console.log(`\nretry schedule (base 1 s): answers ${log.map((r) => r.answered).join(', ')}; gaps between attempts ${gaps.join(' s, ')} s\n`);
});
