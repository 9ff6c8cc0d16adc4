// The headers of /docs. Scalar is a script, so the page cannot have the admin pages' policy (no script at all,
// ../admin/pages/layout.tsx); it gets one of its own, as narrow as Scalar allows. Found by running the reference in
// Chromium (load, expand every group, search, send a request, switch to dark mode) and reading the violations.
export function referenceHeaders(nonce: string): Record<string, string> {
  const policy = [
    "default-src 'none'",
    // The two scripts of the page, the bundle (same origin) and the inline start, carry the nonce, fresh per
    // response: no other script runs, and no eval (dev/build-assets.ts keeps the bundle's zod from probing it).
    `script-src 'nonce-${nonce}'`,
    // Scalar injects <style> elements (the toasts', its components') and sets style attributes (highlighted
    // code, measurements) without the nonce, so styles have to be 'unsafe-inline'. CSS runs no script, and with
    // img-src, connect-src and font-src closed to other origins a style cannot send anything anywhere.
    "style-src 'unsafe-inline'",
    // The favicon is a data: URL (the page sets one so that the browser does not ask the Worker for /favicon.ico).
    'img-src data:',
    // /openapi.json and the requests of the try-it client: this API, on this origin.
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ];
  return {
    'Content-Security-Policy': policy.join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
