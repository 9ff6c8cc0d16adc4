// GET /openapi.json (the OpenAPI 3.1 document of every route) and GET /docs (the API reference: Scalar, reading
// that document in the browser). Both are open to anyone and pass the gate like every API route, so they are
// rate limited and counted. Both list themselves: they are routes of the API like the others.
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { type ApiReferenceConfiguration, Scalar } from '@scalar/hono-api-reference';
import type { AppEnv } from '../app-env.ts';
import { REFERENCE_BUNDLE_PATH } from './docs/bundle.ts';
import { buildDocument, type OpenApiDocument, registerDocumentComponents } from './docs/document.ts';
import { referenceHeaders } from './docs/headers.ts';
import { defineRoute, serve } from './define-route.ts';
import { errors } from './openapi.ts';

const DOCUMENT_PATH = '/openapi.json';

const DocumentSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .openapi('OpenAPIDocument', { description: 'An OpenAPI 3.1 document: this one.' });

const documentRoute = defineRoute(
  {
    method: 'get',
    path: DOCUMENT_PATH,
    tags: ['Documentation'],
    summary: 'The OpenAPI 3.1 document of every route',
    responses: {
      200: { description: 'The document', content: { 'application/json': { schema: DocumentSchema } } },
      ...errors('unauthorized'),
    },
  },
  { access: 'anyone' },
);

const pageRoute = defineRoute(
  {
    method: 'get',
    path: '/docs',
    tags: ['Documentation'],
    summary: 'The API reference (HTML)',
    description:
      'Scalar, reading `/openapi.json`: search, a client that sends requests to this API, code samples. Everything it loads comes from this origin.',
    responses: {
      200: { description: 'The reference page', content: { 'text/html': { schema: z.string() } } },
      ...errors('unauthorized'),
    },
  },
  { access: 'anyone' },
);

// The page is a small HTML shell: the bundle from this origin and an inline script that starts it on the
// document. Nothing may come from or go to another origin, so every Scalar feature that would is off.
const configuration = {
  url: DOCUMENT_PATH,
  cdn: REFERENCE_BUNDLE_PATH,
  pageTitle: 'ParkEdge API reference',
  withDefaultFonts: false, // the system's fonts, not Scalar's font CDN
  telemetry: false,
  agent: { disabled: true }, // "Ask AI" talks to Scalar's servers
  mcp: { disabled: true },
  showDeveloperTools: 'never', // a toolbar of Scalar's hosted services
  hideClientButton: true, // a link out to Scalar's hosted client; the try-it client stays
  favicon: 'data:,', // otherwise the browser asks the Worker for /favicon.ico (a counted 404)
} satisfies Partial<ApiReferenceConfiguration>;

export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  registerDocumentComponents(app);

  // Built on first use, when every route is registered, then kept for the isolate's life: it depends only on
  // the route definitions.
  let document: OpenApiDocument | undefined;
  const getDocument = () => {
    try {
      return (document ??= buildDocument(app));
    } catch (error) {
      // zod-to-openapi throws plain objects (a conflicting definition): Hono hands only Errors to onError,
      // anything else would escape the app without the error envelope and without a log line.
      throw error instanceof Error ? error : new Error(`the OpenAPI document cannot be built: ${JSON.stringify(error)}`);
    }
  };

  serve(app, documentRoute, (c) => c.json(getDocument() as z.infer<typeof DocumentSchema>, 200));

  serve(app, pageRoute, async (c, next) => {
    const nonce = crypto.randomUUID().replaceAll('-', '');
    for (const [name, value] of Object.entries(referenceHeaders(nonce))) c.header(name, value);
    // The document names no server: this one, so that code samples show full URLs and try-it calls this origin.
    const servers = [{ url: new URL(c.req.url).origin }];
    const page = await Scalar<AppEnv>({ ...configuration, servers, nonce })(c, next);
    // Scalar's middleware always answers (c.html); its type also allows passing on, which it never does here.
    if (!page) throw new Error('Scalar rendered no page');
    return page;
  });
}
