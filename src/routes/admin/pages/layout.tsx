// The shell every admin page shares, and the headers it is sent with: one document with its one inline
// stylesheet, under a policy that lets the page run nothing, load nothing from elsewhere (images only as data:
// URLs), post forms only to this origin and be framed by no one; the stylesheet is allowed by its hash. Text
// goes through hono/jsx, which escapes children and attribute values; the stylesheet is the only raw HTML, and
// it is a constant. (/docs runs Scalar, a script, under a policy of its own: ../../docs/headers.ts.)
import { createHash } from 'node:crypto';
import type { Child } from 'hono/jsx';
import { css } from './style.ts';

const styleSource = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;

/** The headers of every admin page; no copy kept by the browser or a proxy (it shows who is signed in and live figures). */
export function adminPageHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': `default-src 'none'; style-src ${styleSource}; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
}

export function AdminPage({ title, children }: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: css }} />
      </head>
      <body>{children}</body>
    </html>
  );
}

/** Ends the session; a POST with the CSRF token, never a link, so no page elsewhere can sign the admin out. */
export function SignOutForm({ csrf, label = 'Sign out' }: { csrf: string; label?: string }) {
  return (
    <form id="sign-out" method="post" action="/admin/sign-out">
      <input type="hidden" name="csrf" value={csrf} />
      <button type="submit">{label}</button>
    </form>
  );
}

/** A complete HTML document as one string (a JSX element renders to a string, or a promise of one). */
export async function renderPage(page: { toString(): string | Promise<string> }): Promise<string> {
  return `<!doctype html>${await page.toString()}`;
}
