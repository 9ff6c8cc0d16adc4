// The shell every admin page shares: one document with its one inline stylesheet (the one the CSP hash
// allows), and the sign-out form. Text goes through hono/jsx, which escapes children and attribute values;
// the stylesheet is the only raw HTML, and it is a constant.
import type { Child } from 'hono/jsx';
import { HtmlPage } from '../../html-page.tsx';
import { css } from './style.ts';

export function Document({ title, children }: { title: string; children?: Child }) {
  return (
    <HtmlPage title={title} css={css} noindex>
      {children}
    </HtmlPage>
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
export async function renderDocument(page: { toString(): string | Promise<string> }): Promise<string> {
  return `<!doctype html>${await page.toString()}`;
}
