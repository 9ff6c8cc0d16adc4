// Which keys the app's Lua scripts really touch. Upstash locks only the keys a script passes in KEYS when it
// declares allow-key-locking, and refuses any other; stock Redis checks nothing. So every script that goes
// through the gateway under audit runs inside a wrapper that asks Redis (COMMAND GETKEYS) which keys each
// redis.call names, and notes every key not in KEYS, and every command that reaches the whole keyspace (a
// read or a write that names no key: SCAN, KEYS, FLUSHDB). The script runs once, as it would have, and
// answers what it would have answered; the notes go to a list of the audit's own.
import type { Deps } from '../../src/deps.ts';
import type { Pipeline } from '../../src/redis/gateway.ts';
import { appScript } from '../../src/redis/scripts.ts';
import { redisClient } from './fixtures.ts';

export interface ScriptCall {
  /** The script's text as the app sent it (EVAL) or named it (EVALSHA); null for a SHA the app does not know. */
  source: string | null;
  keys: string[];
}

type Command = { name: string; args: unknown[] };

/** The commands a gateway builder queues, recorded instead of sent. */
function commandsOf(build: (pipeline: Pipeline) => Pipeline): Command[] {
  const commands: Command[] = [];
  const recorder: Pipeline = new Proxy({} as Pipeline, {
    get: (_, name) => (...args: unknown[]) => {
      commands.push({ name: String(name), args });
      return recorder;
    },
  });
  build(recorder);
  return commands;
}

function audited(source: string, notes: string): string {
  const body = source.replace(/^#!lua[^\n]*\n/, '');
  return `
local __real = redis
local __declared = {}
for _, key in ipairs(KEYS) do __declared[key] = true end
local function __note(what) __real.call('RPUSH', '${notes}', what) end
local function __audit(command, ...)
  local named, keys = pcall(__real.call, 'COMMAND', 'GETKEYS', command, ...)
  if named then
    for _, key in ipairs(keys) do
      if not __declared[key] then __note(key) end
    end
    return
  end
  for _, flag in ipairs(__real.call('COMMAND', 'INFO', command)[1][3]) do
    local name = type(flag) == 'table' and flag.ok or flag
    if name == 'readonly' or name == 'write' then return __note('* (' .. string.upper(command) .. ' reaches every key)') end
  end
end
local redis = setmetatable({
  call = function(...) __audit(...) return __real.call(...) end,
  pcall = function(...) __audit(...) return __real.pcall(...) end,
}, { __index = __real })
return (function()
${body}
end)()`;
}

export interface ScriptAudit {
  /** Every script sent through the gateway since the audit began. */
  calls: ScriptCall[];
  /** The keys those scripts touched without passing them in KEYS. */
  undeclared(): Promise<string[]>;
}

/** From now on, every script `deps` sends runs under the audit (Redis must be the main test endpoint's). */
export function auditScripts(deps: Deps): ScriptAudit {
  const notes = `script-audit:${crypto.randomUUID()}`;
  const calls: ScriptCall[] = [];
  const send = deps.redis.gateway.call.bind(deps.redis.gateway);
  deps.redis.gateway.call = ((build: (pipeline: Pipeline) => Pipeline) => {
    const commands = commandsOf(build).map(({ name, args }): Command => {
      if (name !== 'eval' && name !== 'evalsha') return { name, args };
      const [text, keys, argv] = args as [string, string[], unknown[]];
      const source = name === 'eval' ? text : (appScript(text)?.source ?? null);
      calls.push({ source, keys: [...keys] });
      return source === null ? { name, args } : { name: 'eval', args: [audited(source, notes), keys, argv] };
    });
    return send((pipeline) => commands.reduce((p, { name, args }) => (p as unknown as Record<string, (...a: unknown[]) => Pipeline>)[name]!(...args), pipeline));
  }) as typeof deps.redis.gateway.call;
  return {
    calls,
    undeclared: async () => {
      const redis = redisClient(deps.config.redisUrl);
      const found = await redis.lrange<string>(notes, 0, -1);
      await redis.del(notes);
      return found;
    },
  };
}
