// The admin pages, rendered on the server with hono/jsx: pure functions from data to a complete
// `<!doctype html>` document (a Promise<string>), and the headers to send every one of them with.
// The route decides the status (200, or 403 for the forbidden page) and calls `c.html(html, status,
// adminPageHeaders())`.
export { type DashboardOptions, renderDashboardPage } from './dashboard.tsx';
export { renderForbiddenPage, renderSignInPage, type SignInOptions } from './sign-in.tsx';
export { adminPageHeaders } from './layout.tsx';
