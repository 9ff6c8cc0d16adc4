// (d) Booking contention: 200 bookings sent at once on a fresh 10-spot lot, round after round. Both sides are
// checked: nothing oversold (10 bookings at most, each on its own spot 1..10, exactly the reservations the
// database holds) and nothing lost (a 409 lot_full only when the lot was full: never with fewer than 10
// bookings made, and never answered before the last winning booking's transaction had even begun).
import { call, newLot, newUser, uniquePlate, type Answer } from '../fixtures.ts';
import { checkInvariants } from '../invariants.ts';
import { p50p99, table, type Report } from '../report.ts';
import type { Account, World } from '../world.ts';

const SPOTS = 10;
const BOOKINGS = 200;
const USERS = 20;
/** Timestamps in PostgreSQL have millisecond precision: a refusal this close to a start is not called early. */
const CLOCK_MARGIN_MS = 5;

export interface ContentionFigures {
  table: string;
}

interface Booked {
  answer: Answer<{ id?: number; spot_number?: number; error?: { code?: string } }>;
  at: number;
  latencyMs: number;
}

async function book(world: World, user: Account, lotId: number): Promise<Booked> {
  const sent = Date.now();
  const answer = await call<{ id?: number; spot_number?: number; error?: { code?: string } }>(world.origin, 'POST', '/reservations', {
    token: user.token,
    body: { lot_id: lotId, vehicle_plate: uniquePlate('R') },
  });
  const at = Date.now();
  return { answer, at, latencyMs: at - sent };
}

export async function runContention(world: World, report: Report, rounds: number): Promise<ContentionFigures> {
  const name = '(d) contention';
  console.log(`\n${name}: ${BOOKINGS} bookings at once on a ${SPOTS}-spot lot, ${rounds} rounds`);
  const users = await Promise.all(Array.from({ length: USERS }, () => newUser(world, 'racer')));
  const totals = { booked: 0, full: 0, other: 0, serverErrors: 0, oversold: 0, lost: 0 };
  const latencies: number[] = [];
  const problems: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const lotId = await newLot(world, SPOTS, `Contended ${round}`);
    const answers = await Promise.all(Array.from({ length: BOOKINGS }, (_, i) => book(world, users[i % USERS]!, lotId)));
    latencies.push(...answers.map((a) => a.latencyMs));
    const wins = answers.filter((a) => a.answer.status === 201);
    const fulls = answers.filter((a) => a.answer.status === 409 && a.answer.body?.error?.code === 'lot_full');
    const others = answers.filter((a) => !wins.includes(a) && !fulls.includes(a));
    totals.booked += wins.length;
    totals.full += fulls.length;
    totals.other += others.length;
    totals.serverErrors += answers.filter((a) => a.answer.status >= 500).length;
    if (others.length) problems.push(`round ${round}: ${others.slice(0, 3).map((a) => `${a.answer.status} ${a.answer.text.slice(0, 120)}`).join(' | ')}`);

    const spotsGiven = wins.map((w) => w.answer.body?.spot_number);
    const held = await world.sql(
      `SELECT r.id, r.spot_number, r.reserved_at FROM reservations r WHERE r.lot_id = $1 AND r.status = 'reserved' ORDER BY r.spot_number`,
      [lotId],
    );
    const heldIds = held.map((r) => r.id as number).sort((a, b) => a - b);
    const wonIds = wins.map((w) => w.answer.body?.id as number).sort((a, b) => a - b);
    const distinct = new Set(spotsGiven).size === spotsGiven.length && spotsGiven.every((n) => typeof n === 'number' && n >= 1 && n <= SPOTS);
    if (wins.length > SPOTS || !distinct || JSON.stringify(heldIds) !== JSON.stringify(wonIds)) {
      totals.oversold += 1;
      problems.push(`round ${round}: oversold or unanswered — 201s ${JSON.stringify(wonIds)} on spots ${JSON.stringify(spotsGiven)}, database holds ${JSON.stringify(heldIds)}`);
    }
    // The lot was full at the earliest when the last winner's transaction began (reserved_at is its now()).
    const fullFrom = Math.max(...held.map((r) => new Date(r.reserved_at as string).getTime()));
    const early = fulls.filter((f) => f.at < fullFrom - CLOCK_MARGIN_MS);
    if ((wins.length < SPOTS && fulls.length > 0) || early.length > 0) {
      totals.lost += 1;
      problems.push(`round ${round}: lost — ${wins.length} booked, ${fulls.length} refused lot_full, ${early.length} of them answered before the last booking began`);
    }
    const read = await call<{ available_spots?: number; reserved_spots?: number }>(world.origin, 'GET', `/parking-lots/${lotId}`);
    if (read.body?.available_spots !== SPOTS - wins.length || read.body?.reserved_spots !== wins.length) {
      problems.push(`round ${round}: the lot reads ${read.text.slice(0, 200)} after ${wins.length} bookings`);
      totals.oversold += 1;
    }
  }
  report.check(name, `zero 5xx (${totals.serverErrors})`, totals.serverErrors === 0, problems.join('\n         '));
  report.check(name, `every answer is 201 or 409 lot_full (${totals.other} others)`, totals.other === 0, problems.join('\n         '));
  report.check(name, `zero oversold: at most ${SPOTS} bookings a round, on distinct spots, exactly the reservations held, availability exact`, totals.oversold === 0, problems.join('\n         '));
  report.check(name, `zero lost: every round filled its ${SPOTS} spots, and no lot_full was answered before the lot was full`, totals.lost === 0 && totals.booked === rounds * SPOTS, problems.join('\n         '));
  await checkInvariants(world, report, name);
  return {
    table: table(
      ['rounds', 'bookings sent', '201', '409 lot_full', 'other', '5xx', 'rounds oversold', 'rounds with a lost booking', 'p50 / p99'],
      [[rounds, rounds * BOOKINGS, totals.booked, totals.full, totals.other, totals.serverErrors, totals.oversold, totals.lost, p50p99(latencies)]],
    ),
  };
}
