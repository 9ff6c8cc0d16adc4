// GET /openapi.json (the OpenAPI 3.1 document of every route) and GET /docs (a reference page rendered from
// it on the server). Both are open to anyone and pass the gate like every API route, so they are rate limited
// and counted. Both list themselves: they are routes of the API like the others.
import { z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { buildDocument, type OpenApiDocument, registerDocumentComponents } from './docs/document.ts';
import { type ApiDocument, renderPage } from './docs/page.tsx';
import { css } from './docs/style.ts';
import { pageHeaders } from './html-page.tsx';
import { defineRoute, serve } from './define-route.ts';
import { errors } from './openapi.ts';

const DocumentSchema = z
  .looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .openapi('OpenAPIDocument', { description: 'An OpenAPI 3.1 document: this one.' });

const documentRoute = defineRoute(
  {
    method: 'get',
    path: '/openapi.json',
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
    summary: 'A readable API reference (HTML)',
    description: 'Rendered on the server from `/openapi.json`; no scripts and nothing loaded from elsewhere, so it works offline.',
    responses: {
      200: { description: 'The reference page', content: { 'text/html': { schema: z.string() } } },
      ...errors('unauthorized'),
    },
  },
  { access: 'anyone' },
);

export function registerDocs(app: OpenAPIHono<AppEnv>): void {
  registerDocumentComponents(app);

  // Built on first use, when every route is registered, then kept for the isolate's life: both depend only
  // on the route definitions. A failed build is not kept, so the next request tries again.
  let document: OpenApiDocument | undefined;
  let page: Promise<string> | undefined;
  const getDocument = () => {
    try {
      return (document ??= buildDocument(app));
    } catch (error) {
      // zod-to-openapi throws plain objects (a conflicting definition): Hono hands only Errors to onError,
      // anything else would escape the app without the error envelope and without a log line.
      throw error instanceof Error ? error : new Error(`the OpenAPI document cannot be built: ${JSON.stringify(error)}`);
    }
  };
  const getPage = () => {
    page ??= renderPage(getDocument() as ApiDocument).catch((error: unknown) => {
      page = undefined;
      throw error;
    });
    return page;
  };

  serve(app, documentRoute, (c) => c.json(getDocument() as z.infer<typeof DocumentSchema>, 200));

  serve(app, pageRoute, async (c) => {
    const html = await getPage();
    for (const [name, value] of Object.entries(pageHeaders(css, "'none'"))) c.header(name, value);
    return c.html(html, 200);
  });
}
