// The scenarios of `npm run bench`, as autocannon streams for chaos/load.ts's runLoad: each connection sends
// its next request as soon as the last one is answered (no fixed rate), so requests/s is what the stack serves.
import type autocannon from 'autocannon';
import type { Stream } from '../../chaos/load.ts';

export interface Caller {
  id: number;
  token: string;
}

/** What the seeded data set offers the scenarios (ids and tokens), sent to the load generator as JSON. */
export interface BenchData {
  /** Every seeded lot: the anonymous reads pick among them. */
  lots: number[];
  /** The 20 lots bookings go to (the mixed workload reads these too). */
  busyLots: number[];
  /** Signed-in readers (GET /auth/me): one per connection, in turn. */
  readers: Caller[];
  admin: Caller;
  /** Users the admin reads (GET /users/:id). */
  userIds: number[];
  /** Drivers of the cycles: each holds one booking at a time (the contract allows one active per user). */
  drivers: Caller[];
  /** Email and password of seeded users, for the sign-in scenario (CPU only). */
  logins: { email: string; password: string }[];
}

export const SCENARIOS = ['lot read', 'lot list', 'auth/me', 'admin user read', 'book → park → release', 'mixed 95/5'] as const;
export type ScenarioName = (typeof SCENARIOS)[number] | 'login';

const pick = <T>(values: T[]): T => values[Math.floor(Math.random() * values.length)]!;
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });
const json = (token: string) => ({ ...bearer(token), 'content-type': 'application/json' });
const restart = null as unknown as autocannon.Request; // a setupRequest answering null starts the loop again

interface CycleContext {
  driver?: Caller;
  id?: number;
}

let plates = 0;
const plate = () => `B${process.pid.toString(36)}${(plates += 1).toString(36)}`.toUpperCase().slice(0, 20);

/** `reads` lot reads, then a book → park → release by a free driver on one of the busy lots. */
function cycleRequests(data: BenchData, reads: number): autocannon.Request[] {
  const free = [...data.drivers];
  const done = (context: CycleContext) => {
    if (context.driver) free.push(context.driver);
    context.driver = undefined;
    context.id = undefined;
  };
  const read: autocannon.Request = { method: 'GET', setupRequest: (r) => ({ ...r, path: `/parking-lots/${pick(data.busyLots)}`, headers: { accept: 'application/json' } }) };
  return [
    ...Array.from({ length: reads }, () => read),
    {
      method: 'POST',
      path: '/reservations',
      setupRequest: (request, context) => {
        const c = context as CycleContext;
        c.driver = free.shift();
        if (!c.driver) return restart;
        return { ...request, headers: json(c.driver.token), body: JSON.stringify({ lot_id: pick(data.busyLots), vehicle_plate: plate() }) };
      },
      onResponse: (status, body, context) => {
        if (status === 201) (context as CycleContext).id = (JSON.parse(body) as { id: number }).id;
        else done(context as CycleContext);
      },
    },
    {
      method: 'POST',
      setupRequest: (request, context) => {
        const { id, driver } = context as CycleContext;
        return id === undefined || !driver ? restart : { ...request, path: `/reservations/${id}/park`, headers: bearer(driver.token) };
      },
      onResponse: (status, _body, context) => void (status !== 200 && done(context as CycleContext)),
    },
    {
      method: 'POST',
      setupRequest: (request, context) => {
        const { id, driver } = context as CycleContext;
        if (id === undefined || !driver) return restart;
        return { ...request, path: `/reservations/${id}/release`, headers: json(driver.token), body: JSON.stringify({ payment_method: 'card' }) };
      },
      onResponse: (_status, _body, context) => done(context as CycleContext),
    },
  ];
}

/** The stream of one scenario over `connections` connections. */
export function scenarioStream(name: ScenarioName, data: BenchData, connections: number): Stream {
  const stream = (requests: autocannon.Request[]): Stream => ({ name, connections, requests });
  switch (name) {
    case 'lot read':
      return stream([{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/parking-lots/${pick(data.lots)}`, headers: { accept: 'application/json' } }) }]);
    case 'lot list':
      return stream([{ method: 'GET', path: '/parking-lots', headers: { accept: 'application/json' } }]);
    case 'auth/me':
      return stream([{ method: 'GET', path: '/auth/me', setupRequest: (r) => ({ ...r, headers: bearer(pick(data.readers).token) }) }]);
    case 'admin user read':
      return stream([{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/users/${pick(data.userIds)}`, headers: bearer(data.admin.token) }) }]);
    case 'book → park → release':
      return stream(cycleRequests(data, 0));
    case 'mixed 95/5':
      // 57 reads and 3 writes a loop: 95 % lot reads, 5 % bookings, parks and releases, on the 20 busy lots.
      return stream(cycleRequests(data, 57));
    case 'login':
      return stream([{ method: 'POST', path: '/auth/login', setupRequest: (r) => ({ ...r, headers: { 'content-type': 'application/json' }, body: JSON.stringify(pick(data.logins)) }) }]);
  }
}
