// The sign-in page (what a browser that is not signed in gets) and the page for a signed-in non-admin. Plain
// forms posting to the app's own origin with a CSRF token; no script, so they work with the CSP's no-script.
import { AdminPage, renderPage, SignOutForm } from './layout.tsx';

export interface SignInOptions {
  csrf: string;
  /** Why the last attempt failed, shown above the form. */
  error?: string;
  /** The address of the last attempt, kept so only the password is typed again. */
  email?: string;
}

function SignInPage({ csrf, error, email }: SignInOptions) {
  return (
    <AdminPage title={error ? 'Sign-in failed · ParkEdge admin' : 'Sign in · ParkEdge admin'}>
      <main class="sign-in">
        <div class="panel">
          <h1>ParkEdge admin</h1>
          <p class="note">Sign in with an administrator account to see the Redis dashboard.</p>
          {error && (
            <p class="error" role="alert" data-testid="sign-in-error">
              {error}
            </p>
          )}
          <form id="sign-in" method="post" action="/admin/sign-in">
            <input type="hidden" name="csrf" value={csrf} />
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="username" required value={email ?? ''}
              autofocus={!email} spellcheck={false} autocapitalize="off" />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={Boolean(email)} />
            <button type="submit" class="primary">Sign in</button>
          </form>
        </div>
      </main>
    </AdminPage>
  );
}

function ForbiddenPage({ csrf, user }: { csrf: string; user: { email: string } }) {
  return (
    <AdminPage title="Admins only · ParkEdge admin">
      <main class="sign-in">
        <div class="panel">
          <h1>Admins only</h1>
          <p>
            You are signed in as <strong class="mono">{user.email}</strong>, which is not an administrator account. The
            dashboard is for administrators only.
          </p>
          <p class="note">Sign out, then sign in with an administrator account.</p>
          <SignOutForm csrf={csrf} />
        </div>
      </main>
    </AdminPage>
  );
}

/** The sign-in page as a complete HTML document. Send it with `adminPageHeaders()`. */
export function renderSignInPage(options: SignInOptions): Promise<string> {
  return renderPage(<SignInPage {...options} />);
}

/** The page for a signed-in user who is not an admin (the route answers it with 403). */
export function renderForbiddenPage(options: { csrf: string; user: { email: string } }): Promise<string> {
  return renderPage(<ForbiddenPage {...options} />);
}
