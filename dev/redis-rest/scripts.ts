// Upstash accepts script shebang flags that stock Redis rejects (`#!lua flags=allow-key-locking`, sent by
// @upstash/ratelimit). The stand-in drops the flags Redis does not know before the script reaches Redis, and
// remembers which SHA the client computed for the original text, so EVALSHA with that SHA still runs the
// script in one round trip.
//
// With `allow-key-locking` Upstash locks only the keys passed in KEYS, and so refuses any command of the
// script on another key, and FLUSHDB/FLUSHALL (upstash/docs, redis/features/key-locking.mdx, "Rules for
// allow-key-locking"). The stand-in holds such a script to the same rules: a guard goes in front of its body
// that shadows `redis` with a table whose call/pcall ask Redis itself which arguments are keys (COMMAND
// GETKEYS, the key specs of the command, movable keys included) before they run the command. (Redis 7 keeps
// its globals read-only, so `redis.call` itself cannot be replaced; a local of the same name can.)
import { createHash } from 'node:crypto';

// The shebang flags Redis 7 understands (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/).
const REDIS_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

// Upstash's documented refusal of an undeclared key, word for word. Upstash documents that FLUSHDB and
// FLUSHALL are refused too but not with which words: that sentence is ours, modelled on the first.
const UNDECLARED_KEY = "ERR Dynamic keys are not allowed in Lua scripts when 'allow-key-locking' flag is set. Key was: ";
const DATABASE_WIDE = " is not allowed in Lua scripts when 'allow-key-locking' flag is set";

// One line, without comments: it is put in front of the body's first line, so that Redis's line numbers in
// error messages stay those of the script the client sent.
const KEY_GUARD = `local redis = (function(real, declared)
  local allowed = {}
  for _, key in ipairs(declared) do allowed[key] = true end
  local function refusal(...)
    local name = string.upper(tostring((...)))
    if name == 'FLUSHDB' or name == 'FLUSHALL' then return 'ERR ' .. name .. "${DATABASE_WIDE}" end
    local keys = real.pcall('COMMAND', 'GETKEYS', ...)
    if type(keys) ~= 'table' or keys.err then return nil end
    for _, key in ipairs(keys) do
      if not allowed[key] then return "${UNDECLARED_KEY}" .. key end
    end
    return nil
  end
  return setmetatable({
    call = function(...) local err = refusal(...) if err then error({err = err}) end return real.call(...) end,
    pcall = function(...) local err = refusal(...) if err then return {err = err} end return real.pcall(...) end,
  }, {__index = real})
end)(redis, KEYS);`.replace(/\s*\n\s*/g, ' ');

export function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * The script as Redis will run it: unknown shebang flags removed and, for `allow-key-locking`, the key guard
 * in front of the body; everything else byte for byte.
 */
export function compatibleScript(script: string): string {
  const match = /^#!lua([^\n]*)/.exec(script);
  if (!match) return script;
  const options = match[1]!.trim();
  const flagsMatch = /^flags=(\S*)$/.exec(options);
  if (!flagsMatch) return script;
  const flags = flagsMatch[1]!.split(',');
  const kept = flags.filter((flag) => REDIS_FLAGS.has(flag));
  const shebang = kept.length > 0 ? `#!lua flags=${kept.join(',')}` : '#!lua';
  const body = script.slice(match[0].length + 1);
  if (!flags.includes('allow-key-locking')) return `${shebang}${script.slice(match[0].length)}`;
  return `${shebang}\n${KEY_GUARD} ${body}`;
}

/** Maps the SHA a client knows (of its original script) to the SHA Redis stores (of the compatible one). */
export class ScriptShas {
  private readonly redisShaOf = new Map<string, string>();
  private readonly clientShaOf = new Map<string, string>();

  /** Rewrites a script and records the SHA pair; returns the text to send to Redis. */
  register(script: string): string {
    const compatible = compatibleScript(script);
    if (compatible !== script) {
      const clientSha = sha1(script);
      const redisSha = sha1(compatible);
      this.redisShaOf.set(clientSha, redisSha);
      this.clientShaOf.set(redisSha, clientSha);
    }
    return compatible;
  }

  toRedis(sha: string): string {
    return this.redisShaOf.get(sha.toLowerCase()) ?? sha;
  }

  toClient(sha: string): string {
    return this.clientShaOf.get(sha) ?? sha;
  }
}
