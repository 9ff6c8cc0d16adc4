// Lots, bookings and outages for the live-stream tests, through the API of the `wrangler dev` under test and
// the stand-ins' control endpoints (the same stack as the browser tests: test/browser/global-setup.ts).
import pg from 'pg';
import { inject } from 'vitest';
import { api, bearerToken, newUser, origin, seededAdmin, unique } from '../../browser/helpers/api.ts';
import * as clients from './clients.ts';

export { availability, count, type LiveEvent, type Watcher } from './clients.ts';
export const openSocket = (lotId: number, ip: string, options?: { pingEveryMs?: number }) => clients.openSocket(origin, lotId, ip, options);
export const openEventStream = (lotId: number, ip: string, lastEventId?: string) => clients.openEventStream(origin, lotId, ip, lastEventId);
export const refusedWith = (lotId: number, ip: string) => clients.refusedWith(origin, lotId, ip);

let adminToken: Promise<string> | undefined;
export const admin = () => (adminToken ??= bearerToken(seededAdmin));

export async function makeLot(capacity: number): Promise<number> {
  const res = await api('POST', '/parking-lots', {
    token: await admin(),
    body: { name: unique('Live '), address: '1 Stream Street', pin_code: '560001', price_per_hour_cents: 500, capacity },
  });
  if (res.status !== 201) throw new Error(`creating a lot: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as number;
}

export const users = (n: number) => Promise.all(Array.from({ length: n }, () => newUser()));

export function book(token: string, lotId: number) {
  const plate = unique('L').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(-10);
  return api('POST', '/reservations', { token, body: { lot_id: lotId, vehicle_plate: plate } });
}

export const deleteLot = async (lotId: number) => (await api('DELETE', `/parking-lots/${lotId}`, { token: await admin() })).status;

/** The lot's reservations and free spots as PostgreSQL has them. */
export async function inDatabase(lotId: number): Promise<{ reservations: number; distinctSpots: number; free: number; version: number }> {
  const client = new pg.Client({ connectionString: inject('browserDatabaseUrl') });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM reservations WHERE lot_id = $1) AS reservations,
              (SELECT count(DISTINCT spot_id)::int FROM reservations WHERE lot_id = $1) AS "distinctSpots",
              (SELECT count(*)::int FROM spots WHERE lot_id = $1 AND status = 'available') AS free,
              (SELECT availability_version::int FROM parking_lots WHERE id = $1) AS version`,
      [lotId],
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

/** Makes the Neon stand-in refuse every connection (the Worker sees PostgreSQL down), or serve again. */
export async function setPostgresFault(fault: 'refuse' | 'none'): Promise<void> {
  const res = await fetch(`${inject('browserNeonUrl')}/__control/config`, { method: 'POST', body: JSON.stringify({ fault }) });
  if (res.status !== 200) throw new Error(`Neon stand-in control: ${res.status} ${await res.text()}`);
}

let ipCounter = 0;
/** A client IP of its own (TEST-NET-2), so that tests never share the per-IP limit. */
export const freshIp = () => {
  ipCounter += 1;
  return `198.51.${100 + Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};
