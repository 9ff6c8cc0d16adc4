// Upstash accepts script shebang flags that stock Redis rejects (`#!lua flags=allow-key-locking`, sent by
// @upstash/ratelimit). The stand-in drops the flags Redis does not know before the script reaches Redis, and
// remembers which SHA the client computed for the original text, so EVALSHA with that SHA still runs the
// script in one round trip.
import { createHash } from 'node:crypto';

// The shebang flags Redis 7 understands (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/).
const REDIS_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

export function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The script as Redis will accept it: unknown shebang flags removed, everything else byte for byte. */
export function compatibleScript(script: string): string {
  const match = /^#!lua([^\n]*)/.exec(script);
  if (!match) return script;
  const options = match[1]!.trim();
  const flagsMatch = /^flags=(\S*)$/.exec(options);
  if (!flagsMatch) return script;
  const kept = flagsMatch[1]!.split(',').filter((flag) => REDIS_FLAGS.has(flag));
  const shebang = kept.length > 0 ? `#!lua flags=${kept.join(',')}` : '#!lua';
  return shebang + script.slice(match[0].length);
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
