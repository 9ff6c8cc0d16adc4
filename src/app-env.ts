import type { Deps } from './deps.ts';
import type { Env } from './env.ts';
import type { ParsedToken } from './services/auth/tokens.ts';
import type { User } from './schemas/users.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    deps: Deps;
    /** Every route pattern of the app, for reading back `endpoint_calls:{endpoint}`. */
    endpoints: readonly string[];
    /** The route pattern, `GET /parking-lots/:id`: the name counters and rate limits use. */
    endpoint?: string;
    /** The token the request carries (not yet proven), set by the gate's first half; null for none. */
    credentials?: { token: ParsedToken; viaCookie: boolean } | null;
    /** The signed-in caller, set by the gate. */
    user?: User;
    /** The caller's session token hash, set by the gate. */
    sessionHash?: string;
  };
}
