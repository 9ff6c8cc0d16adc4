// The first admin's credentials. The local defaults exist for development on this machine only: any other
// database (Neon, or one named by DATABASE_URL) must be given ADMIN_EMAIL and ADMIN_PASSWORD explicitly.
export const LOCAL_ADMIN = { email: 'admin@parkedge.local', password: 'admin-password-123' } as const;

export function adminCredentials(env: NodeJS.ProcessEnv, local: boolean): { email: string; password: string } {
  const email = env.ADMIN_EMAIL?.trim();
  const password = env.ADMIN_PASSWORD;
  if (email && password) {
    if (password.length < 8) throw new Error('ADMIN_PASSWORD must have at least 8 characters');
    return { email, password };
  }
  if (!local) throw new Error('set ADMIN_EMAIL and ADMIN_PASSWORD to seed an admin outside local development');
  return { email: email || LOCAL_ADMIN.email, password: password || LOCAL_ADMIN.password };
}
