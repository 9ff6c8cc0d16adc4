// POST /parking-lots/:id/waitlist, GET /waitlist, DELETE /waitlist/:id, POST /waitlist/:id/accept.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../app-env.ts';
import { PageQuery, pageOf } from '../../schemas/pagination.ts';
import { ReservationSchema } from '../../schemas/reservations.ts';
import { JoinWaitlistBody, WaitlistEntrySchema, WaitlistOfferedEventSchema } from '../../schemas/waitlist.ts';
import { joinWaitlist, listWaitlist } from '../../services/waitlist/join.ts';
import { acceptOffer, leaveWaitlist } from '../../services/waitlist/offers.ts';
import { currentUser } from '../current-user.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, IdParam, jsonBody, jsonResponse } from '../openapi.ts';

const tags = ['Waitlist'];

const joinRoute = defineRoute(
  {
    method: 'post',
    path: '/parking-lots/{id}/waitlist',
    tags,
    summary: 'Join the queue of a full lot',
    description: [
      'Only while the lot has no free spot: with one free, the answer is 409 `lot_not_full` — book it directly with `POST /reservations` (the queue is for lots with nothing to book).',
      'When a spot frees (a release, a cancellation, a capacity raise, an offer that lapsed or was dropped), it is held for the oldest entry of the queue, in the same transaction, for `WAITLIST_HOLD_SECONDS` (300 by default, as set when the entry joined): the entry becomes `offered`, the live stream of the lot tells `waitlist.offered`, and the driver accepts with `POST /waitlist/{id}/accept`. An offer not accepted in time lapses and the spot goes to the next.',
      'One vehicle waits in one queue at a time (409 `already_waiting`); a vehicle with an active reservation cannot queue (409 `vehicle_already_parked`).',
    ].join('\n\n'),
    request: { params: IdParam, body: jsonBody(JoinWaitlistBody) },
    responses: {
      201: jsonResponse('In the queue (`position` 1: next to be offered)', WaitlistEntrySchema),
      ...errors('invalid_json', 'validation_failed', 'unauthorized', 'not_found', 'lot_not_full', 'already_waiting', 'vehicle_already_parked'),
    },
  },
  { access: 'signed-in' },
);

const listRoute = defineRoute(
  {
    method: 'get',
    path: '/waitlist',
    tags,
    summary: "The caller's waitlist entries, newest first, a page at a time",
    description: 'Every entry the caller made and has not deleted: waiting (with its place), offered (with the held spot and when the offer ends), accepted (with its reservation) or lapsed.',
    request: { query: PageQuery },
    responses: { 200: jsonResponse('A page of entries, newest first', pageOf(WaitlistEntrySchema)), ...errors('validation_failed', 'unauthorized') },
  },
  { access: 'signed-in' },
);

const leaveRoute = defineRoute(
  {
    method: 'delete',
    path: '/waitlist/{id}',
    tags,
    summary: 'Leave the queue, or delete a past entry (its driver, or an admin)',
    description: 'An entry with a running offer gives its held spot back: the next in the queue is offered it at once.',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'signed-in' },
);

const acceptRoute = defineRoute(
  {
    method: 'post',
    path: '/waitlist/{id}/accept',
    tags,
    summary: 'Accept the offer: the held spot becomes a reservation (its driver only)',
    description:
      'Answers as a booking does (201 with the reservation, `reserved` on the held spot). An offer whose time is up is 409 `offer_expired` (the spot went, or is going, to the next); an entry still waiting, or accepted already, is 409 `invalid_transition`.',
    request: { params: IdParam },
    responses: {
      201: jsonResponse('Booked on the held spot', ReservationSchema),
      ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found', 'offer_expired', 'invalid_transition', 'vehicle_already_parked'),
    },
  },
  { access: 'signed-in' },
);

export function registerWaitlistRoutes(app: OpenAPIHono<AppEnv>): void {
  // Sent on the lot's live stream (GET /parking-lots/{id}/live), documented as a component.
  app.openAPIRegistry.register('WaitlistOfferedEvent', WaitlistOfferedEventSchema);

  serve(app, joinRoute, async (c) => {
    const entry = await joinWaitlist(c.var.deps, currentUser(c), c.req.valid('param').id, c.req.valid('json').vehicle_plate);
    return c.json(entry, 201);
  });

  serve(app, listRoute, async (c) => c.json(await listWaitlist(c.var.deps, currentUser(c), c.req.valid('query')), 200));

  serve(app, leaveRoute, async (c) => {
    await leaveWaitlist(c.var.deps, currentUser(c), c.req.valid('param').id);
    return c.body(null, 204);
  });

  serve(app, acceptRoute, async (c) => c.json(await acceptOffer(c.var.deps, currentUser(c), c.req.valid('param').id), 201));
}
