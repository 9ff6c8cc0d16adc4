// What the server-rendered HTML pages (the admin pages) share: one document shell with a single inline
// stylesheet, and the headers under which a page can run nothing, load nothing from elsewhere (images only as
// data: URLs), post forms only to this origin and be framed by no one. The stylesheet is allowed by its hash.
// (/docs runs Scalar, a script, under a policy of its own: docs/headers.ts.)
import { createHash } from 'node:crypto';
import type { Child } from 'hono/jsx';

const hashes = new Map<string, string>();

/** The CSP source that allows exactly this stylesheet. */
export function styleHash(css: string): string {
  let hash = hashes.get(css);
  if (!hash) {
    hash = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
    hashes.set(css, hash);
  }
  return hash;
}

export function pageHeaders(css: string): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'none'; style-src ${styleHash(css)}; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

export function HtmlPage({ title, css, noindex = false, children }: { title: string; css: string; noindex?: boolean; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="no-referrer" />
        {noindex ? <meta name="robots" content="noindex, nofollow" /> : null}
        <title>{title}</title>
        {/* The one piece of raw HTML: a constant stylesheet, allowed by its hash. */}
        <style dangerouslySetInnerHTML={{ __html: css }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
