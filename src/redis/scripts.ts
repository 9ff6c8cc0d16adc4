// The app's Lua scripts, run with EVALSHA (one round trip) and EVAL when Redis has not seen the script yet.
//
// Upstash runs a script under a lock on the whole database unless its shebang declares allow-key-locking;
// then it locks only the keys passed in KEYS, and refuses any other key. So every script the app runs
// declares the flag (script() adds it), and every key a script touches must be passed in KEYS: a script
// that needs to reach keys it cannot name up front (a SCAN) does not belong in Lua.
import { createHash } from 'node:crypto';
import { RedisCommandError, type RedisGateway } from './gateway.ts';

export interface Script {
  source: string;
  sha: string;
}

/** The shebang Upstash reads (as @upstash/ratelimit sends it); stock Redis does not know the flag. */
export const KEY_LOCKING_SHEBANG = '#!lua flags=allow-key-locking';

const known = new Map<string, Script>();

/** A script of the app, under the key-locking shebang. */
export function script(body: string): Script {
  const source = `${KEY_LOCKING_SHEBANG}\n${body.replace(/^\n/, '')}`;
  const made = { source, sha: createHash('sha1').update(source).digest('hex') };
  known.set(made.sha, made);
  return made;
}

/** One of the app's scripts by its SHA (what EVALSHA names), for audits of what the app sends. */
export function appScript(sha: string): Script | undefined {
  return known.get(sha);
}

/** A reader's fill. KEYS: value, version. ARGV: value, ttl seconds, the version seen before the data was read. */
export const fillScript = script(`
local version = redis.call('GET', KEYS[2]) or ''
if version ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`);

/** After a write: clears each value and bumps its version. KEYS: (value, version) pairs. ARGV: version ttl. */
export const invalidateScript = script(`
for i = 1, #KEYS, 2 do
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[i + 1])
  redis.call('EXPIRE', KEYS[i + 1], ARGV[1])
end
return 1`);

/**
 * After a write that knows the entity's new state: stores it (write-through), unless the entry already holds a
 * later state, and bumps the version either way, so a fill of data read before the write fails. States are
 * ordered by the source, two numbers compared in order (e.g. a lot's availability version and its updated_at);
 * 'gone' marks a deleted entity, later than any state. KEYS: value, version, source. ARGV: value ('' to mark
 * gone), ttl seconds, source (two integers, 'a:b'), version ttl. Returns 1 when stored.
 */
export const refreshScript = script(`
local stored = redis.call('GET', KEYS[3])
local fresh = stored ~= 'gone'
if fresh and stored and ARGV[1] ~= '' then
  local sa, sb = string.match(stored, '^(-?%d+):(-?%d+)$')
  local na, nb = string.match(ARGV[3], '^(-?%d+):(-?%d+)$')
  sa, sb, na, nb = tonumber(sa), tonumber(sb), tonumber(na), tonumber(nb)
  fresh = na > sa or (na == sa and nb > sb)
end
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if not fresh then return 0 end
if ARGV[1] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[3], 'gone', 'EX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
end
return 1`);

export async function runScript<T>(gateway: RedisGateway, s: Script, keys: string[], args: string[]): Promise<T> {
  try {
    return await gateway.call<T>((p) => p.evalsha(s.sha, keys, args));
  } catch (error) {
    if (!(error instanceof RedisCommandError) || !error.message.includes('NOSCRIPT')) throw error;
    return gateway.call<T>((p) => p.eval(s.source, keys, args));
  }
}
