// POST/GET /webhooks, GET/PATCH/DELETE /webhooks/:id, GET /webhooks/:id/deliveries,
// POST /webhooks/:id/deliveries/:delivery_id/redeliver. Admins only.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { AppEnv } from '../../app-env.ts';
import { PageQuery, pageOf } from '../../schemas/pagination.ts';
import { CreatedWebhookSchema, CreateWebhookBody, DeliverySchema, UpdateWebhookBody, webhookData, WebhookEventType, webhookPayloadOf, WebhookSchema } from '../../schemas/webhooks.ts';
import { createWebhook, deleteWebhook, getWebhook, listDeliveries, listWebhooks, redeliver, updateWebhook } from '../../services/webhooks/webhooks-service.ts';
import { defineRoute, serve } from '../define-route.ts';
import { errors, IdParam, jsonBody, jsonResponse } from '../openapi.ts';

const tags = ['Webhooks'];
const DeliveryParams = IdParam.extend({ delivery_id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).meta({ param: { name: 'delivery_id', in: 'path' }, example: 42 }) });

const signing = `Each delivery is a POST of \`{"type", "timestamp", "data"}\` signed per Standard Webhooks: headers
\`webhook-id\` (\`msg_<delivery id>\`, the same on every retry), \`webhook-timestamp\` (Unix seconds of the attempt)
and \`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">\` keyed with the secret's bytes. Verify with
any \`standardwebhooks\` library. A 2xx answer within 10 s is a delivery; anything else is retried with a delay that
doubles (by default 30 s, 1 min, 2 min, 4 min, 8 min), 6 attempts in all; then the delivery is \`failed\`. After 5 (by
default) failed deliveries in a row the webhook is disabled, with \`disabled_reason\`. At least once: drop repeats by \`webhook-id\`.
URLs must be https and name a public host (not a private, loopback or link-local address, by literal or DNS).`;

const createRoute = defineRoute(
  {
    method: 'post',
    path: '/webhooks',
    tags,
    summary: 'Subscribe a URL to events (admin)',
    description: `The answer holds the signing secret, shown this once.\n\n${signing}`,
    request: { body: jsonBody(CreateWebhookBody) },
    responses: { 201: jsonResponse('Subscribed; keep the secret', CreatedWebhookSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden') },
  },
  { access: 'admin' },
);

const listRoute = defineRoute(
  {
    method: 'get',
    path: '/webhooks',
    tags,
    summary: 'The webhooks, a page at a time (admin)',
    description: 'In id order. Secrets are never shown again.',
    request: { query: PageQuery },
    responses: { 200: jsonResponse('A page of webhooks', pageOf(WebhookSchema)), ...errors('validation_failed', 'unauthorized', 'forbidden') },
  },
  { access: 'admin' },
);

const getRoute = defineRoute(
  {
    method: 'get',
    path: '/webhooks/{id}',
    tags,
    summary: 'One webhook (admin)',
    description: 'With `enabled`, and `disabled_reason` when its deliveries kept failing.',
    request: { params: IdParam },
    responses: { 200: jsonResponse('The webhook', WebhookSchema), ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'admin' },
);

const updateRoute = defineRoute(
  {
    method: 'patch',
    path: '/webhooks/{id}',
    tags,
    summary: 'Change a webhook, turn it off or back on (admin)',
    description: 'Deliveries still pending follow the change: to a disabled webhook, or of an event it no longer takes, they are `skipped`.',
    request: { params: IdParam, body: jsonBody(UpdateWebhookBody) },
    responses: { 200: jsonResponse('The changed webhook', WebhookSchema), ...errors('invalid_json', 'validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'admin' },
);

const deleteRoute = defineRoute(
  {
    method: 'delete',
    path: '/webhooks/{id}',
    tags,
    summary: 'Remove a webhook and its log (admin)',
    request: { params: IdParam },
    responses: { 204: { description: 'Removed' }, ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'admin' },
);

const deliveriesRoute = defineRoute(
  {
    method: 'get',
    path: '/webhooks/{id}/deliveries',
    tags,
    summary: "A webhook's delivery log, newest first (admin)",
    description: 'One entry per event sent to this webhook: its status, attempts, the last status code, latency and error, the next retry, and every attempt in `log`.',
    request: { params: IdParam, query: PageQuery },
    responses: { 200: jsonResponse('A page of deliveries', pageOf(DeliverySchema)), ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found') },
  },
  { access: 'admin' },
);

const redeliverRoute = defineRoute(
  {
    method: 'post',
    path: '/webhooks/{id}/deliveries/{delivery_id}/redeliver',
    tags,
    summary: 'Send a delivery again (admin)',
    description: 'The same message (same `webhook-id`) goes to the queue again, with a fresh series of retries; its log goes on.',
    request: { params: DeliveryParams },
    responses: {
      202: jsonResponse('Queued again', DeliverySchema),
      ...errors('validation_failed', 'unauthorized', 'forbidden', 'not_found', 'delivery_pending', 'webhook_disabled'),
    },
  },
  { access: 'admin' },
);

const SignatureHeaders = z.object({
  'webhook-id': z.string().meta({ description: '`msg_<delivery id>`: the same on every attempt; drop repeats by it', example: 'msg_42' }),
  'webhook-timestamp': z.string().meta({ description: 'Unix seconds of this attempt', example: '1764590400' }),
  'webhook-signature': z.string().meta({ description: '`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret\'s bytes', example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=' }),
});

/** The requests ParkEdge sends: the document's `webhooks`, one per event. */
function documentDeliveries(app: OpenAPIHono<AppEnv>): void {
  for (const type of WebhookEventType.options) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      summary: webhookData[type].summary,
      description: signing,
      request: { headers: SignatureHeaders, body: jsonBody(webhookPayloadOf(type)) },
      responses: { 200: { description: 'Any 2xx within the timeout: delivered. Anything else, or no answer: retried.' } },
    });
  }
}

export function registerWebhookRoutes(app: OpenAPIHono<AppEnv>): void {
  documentDeliveries(app);
  serve(app, createRoute, async (c) => c.json(await createWebhook(c.var.deps, c.req.valid('json')), 201));
  serve(app, listRoute, async (c) => c.json(await listWebhooks(c.var.deps, c.req.valid('query')), 200));
  serve(app, getRoute, async (c) => c.json(await getWebhook(c.var.deps, c.req.valid('param').id), 200));
  serve(app, updateRoute, async (c) => c.json(await updateWebhook(c.var.deps, c.req.valid('param').id, c.req.valid('json')), 200));
  serve(app, deleteRoute, async (c) => {
    await deleteWebhook(c.var.deps, c.req.valid('param').id);
    return c.body(null, 204);
  });
  serve(app, deliveriesRoute, async (c) => c.json(await listDeliveries(c.var.deps, c.req.valid('param').id, c.req.valid('query')), 200));
  serve(app, redeliverRoute, async (c) => {
    const { id, delivery_id } = c.req.valid('param');
    return c.json(await redeliver(c.var.deps, id, delivery_id), 202);
  });
}
