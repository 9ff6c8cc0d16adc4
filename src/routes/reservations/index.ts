// POST/GET /reservations, GET /reservations/:id, POST /reservations/:id/{park,release,cancel}.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../app-env.ts';
import { book } from '../../services/reservations/booking.ts';
import { getReservation, listReservations } from '../../services/reservations/queries.ts';
import { cancel, park, release } from '../../services/reservations/steps.ts';
import { currentUser } from '../current-user.ts';
import { defineRoute, serve } from '../define-route.ts';
import { DbId, DbIdText, PaymentMethod, Plate, ReservationStatus } from '../../schemas/fields.ts';
import { PageQuery, pageOf } from '../../schemas/pagination.ts';
import { ReservationSchema } from '../../schemas/reservations.ts';
import { errors, IdParam, jsonBody, jsonResponse } from '../openapi.ts';

const BookBody = z.strictObject({ lot_id: DbId, vehicle_plate: Plate }).meta({ id: 'BookRequest' });
const ReleaseBody = z.strictObject({ payment_method: PaymentMethod.optional() }).meta({ id: 'ReleaseRequest' });
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, '1 to 255 visible ASCII characters')
    .optional()
    .meta({ param: { in: 'header' }, description: 'Per user, kept 24 hours: a retry with the same key and body gets the first answer again (`Idempotent-Replayed: true`).' }),
});
const ListQuery = PageQuery.extend({
  user_id: DbIdText.optional().meta({ description: 'admin only (a user asking for another user is 403)' }),
  lot_id: DbIdText.optional(),
  status: ReservationStatus.optional(),
});

const bookRoute = defineRoute(
  {
    method: 'post',
    path: '/reservations',
    tags: ['Reservations'],
    summary: 'Book the lowest-numbered available spot of a lot',
    request: { headers: IdempotencyHeaders, body: jsonBody(BookBody) },
    responses: {
      201: jsonResponse('Booked', ReservationSchema),
      ...errors('invalid_json', 'validation_failed', 'unauthorized', 'not_found', 'lot_full', 'vehicle_already_parked', 'idempotency_key_reused'),
    },
  },
  { access: 'signed-in' },
);

const listRoute = defineRoute(
  {
    method: 'get',
    path: '/reservations',
    tags: ['Reservations'],
    summary: 'Reservations, newest first, a page at a time: a user sees their own, an admin all (filterable)',
    request: { query: ListQuery },
    responses: { 200: jsonResponse('A page of reservations, newest first', pageOf(ReservationSchema)), ...errors('validation_failed', 'unauthorized', 'forbidden') },
  },
  { access: 'signed-in' },
);

const getRoute = defineRoute(
  {
    method: 'get',
    path: '/reservations/{id}',
    tags: ['Reservations'],
    summary: 'One reservation (owner or admin)',
    request: { params: IdParam },
    responses: { 200: jsonResponse('The reservation', ReservationSchema), ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'signed-in' },
);

const stepConfig = (step: 'park' | 'release' | 'cancel', summary: string, who: string) => ({
  method: 'post' as const,
  path: `/reservations/{id}/${step}`,
  tags: ['Reservations'],
  summary,
  description: `${who}. Any other step than the state machine allows is 409 \`invalid_transition\`.`,
  request: { params: IdParam },
  responses: {
    200: jsonResponse('The reservation after the step', ReservationSchema),
    ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found', 'invalid_transition'),
  },
});

const stepGuard = { access: 'signed-in' } as const;
const parkRoute = defineRoute(stepConfig('park', 'Park: reserved → parked', 'Owner only'), stepGuard);
const cancelRoute = defineRoute(stepConfig('cancel', 'Cancel: reserved → cancelled', 'Owner or admin'), stepGuard);
const releaseRoute = defineRoute(
  {
    ...stepConfig('release', 'Release: parked → completed, with the cost', 'Owner or admin; the body is optional'),
    request: { params: IdParam, body: { ...jsonBody(ReleaseBody), required: false } },
    responses: {
      200: jsonResponse('The reservation after the step', ReservationSchema),
      ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'not_found', 'invalid_transition'),
    },
  },
  stepGuard,
);

export function registerReservationRoutes(app: OpenAPIHono<AppEnv>): void {
  serve(app, bookRoute, async (c) => {
    const body = c.req.valid('json');
    const answer = await book(c.var.deps, {
      userId: currentUser(c).id,
      lotId: body.lot_id,
      vehiclePlate: body.vehicle_plate,
      idempotencyKey: c.req.valid('header')['idempotency-key'] ?? null,
    });
    if (answer.replayed) c.header('Idempotent-Replayed', 'true');
    return answer.status === 201 ? c.json(answer.body, 201) : c.json(answer.body, answer.status);
  });

  serve(app, listRoute, async (c) => {
    return c.json(await listReservations(c.var.deps, currentUser(c), c.req.valid('query')), 200);
  });

  serve(app, getRoute, async (c) => {
    return c.json(await getReservation(c.var.deps, currentUser(c), c.req.valid('param').id), 200);
  });

  serve(app, parkRoute, async (c) => {
    return c.json(await park(c.var.deps, currentUser(c), c.req.valid('param').id), 200);
  });

  serve(app, releaseRoute, async (c) => {
    const paymentMethod = c.req.valid('json')?.payment_method ?? null;
    return c.json(await release(c.var.deps, currentUser(c), c.req.valid('param').id, paymentMethod), 200);
  });

  serve(app, cancelRoute, async (c) => {
    return c.json(await cancel(c.var.deps, currentUser(c), c.req.valid('param').id), 200);
  });
}
