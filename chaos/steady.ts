// The steady load every fault scenario runs under: what apps and kiosks send most (lot reads, the lot list, a
// signed-in user's own data) and a driver's whole cycle (book with an Idempotency-Key → park → release). A
// booking answered 503 is retried with the same key and plate, as a client should; any other failed step
// starts a new cycle.
import type autocannon from 'autocannon';
import { uniquePlate } from './fixtures.ts';
import type { Stream } from './load.ts';
import type { Account } from './world.ts';

export interface SteadyWorld {
  /** Lots only read (their cache stays warm unless invalidated). */
  readLots: number[];
  /** The lot the cycles book on: large enough for every cycle a fault leaves unfinished. */
  bookingLot: number;
  readers: Account[];
  drivers: Account[];
}

/** The successful answers of each stream: anything else is what a fault did. */
export const SUCCESS: Record<string, number[]> = {
  'lot read': [200],
  'lot list': [200],
  'auth/me': [200],
  'my reservations': [200],
  book: [201],
  park: [200],
  release: [200],
};

const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

interface CycleContext {
  id?: number;
  parked?: boolean;
}

/** One driver's cycles, on one connection (its retry state lives here, outside autocannon's context). */
function cycle(driver: Account, lotId: number, rate: number, index: number): Stream[] {
  let pending: { plate: string; key: string } | null = null;
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/reservations',
      setupRequest: (request) => {
        pending ??= { plate: uniquePlate(`D${index}`), key: `chaos-${driver.id}-${Date.now()}-${Math.random().toString(36).slice(2)}` };
        return { ...request, headers: { ...json(driver.token), 'idempotency-key': pending.key }, body: JSON.stringify({ lot_id: lotId, vehicle_plate: pending.plate }) };
      },
      onResponse: (status, body, context) => {
        if (status === 201) (context as CycleContext).id = (JSON.parse(body) as { id: number }).id;
        if (status !== 503) pending = null; // a 503 is retried with the same key
      },
    },
    {
      method: 'POST',
      setupRequest: (request, context) => {
        const { id } = context as CycleContext;
        return id === undefined ? (null as unknown as autocannon.Request) : { ...request, path: `/reservations/${id}/park`, headers: bearer(driver.token) };
      },
      onResponse: (status, _body, context) => void ((context as CycleContext).parked = status === 200),
    },
    {
      method: 'POST',
      setupRequest: (request, context) => {
        const { id, parked } = context as CycleContext;
        if (id === undefined || !parked) return null as unknown as autocannon.Request;
        return { ...request, path: `/reservations/${id}/release`, headers: json(driver.token), body: JSON.stringify({ payment_method: 'card' }) };
      },
    },
  ];
  return [{ name: `cycle ${index}`, connections: 1, rate, requests, steps: ['book', 'park', 'release'] }];
}

/** The streams, about `total` requests per second in all. */
export function steadyStreams(world: SteadyWorld, total: number): Stream[] {
  const share = (fraction: number) => Math.max(1, Math.round(total * fraction));
  const randomLot = () => world.readLots[Math.floor(Math.random() * world.readLots.length)]!;
  const reader = world.readers[0]!;
  return [
    { name: 'lot read', connections: 2, rate: share(0.4), requests: [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/parking-lots/${randomLot()}` }) }] },
    { name: 'lot list', connections: 1, rate: share(0.1), requests: [{ method: 'GET', path: '/parking-lots', headers: { accept: 'application/json' } }] },
    { name: 'auth/me', connections: 1, rate: share(0.15), requests: [{ method: 'GET', path: '/auth/me', headers: bearer(reader.token) }] },
    { name: 'my reservations', connections: 1, rate: share(0.1), requests: [{ method: 'GET', path: '/reservations', headers: bearer(world.readers[1]?.token ?? reader.token) }] },
    ...world.drivers.flatMap((driver, i) => cycle(driver, world.bookingLot, share(0.25 / world.drivers.length), i)),
  ];
}
