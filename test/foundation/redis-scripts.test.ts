// The app's Lua scripts under Upstash's rules: each declares allow-key-locking (else Upstash runs it under a
// lock on the whole database, stalling every other request meanwhile) and touches only the keys it passes
// in KEYS (else Upstash refuses it). Each flow that sends scripts runs here under the audit of
// helpers/script-audit.ts, on the real Redis.
import { describe, expect, it } from 'vitest';
import { makeDeps, type Deps } from '../../src/deps.ts';
import { releaseDailyCounters, type DailyCounter } from '../../src/jobs/compact-daily-metrics.ts';
import { KEY_LOCKING_SHEBANG, runScript, script } from '../../src/redis/scripts.ts';
import { gatherDashboard } from '../../src/services/dashboard/gather.ts';
import { redisClient, unique } from '../helpers/fixtures.ts';
import { testEnv } from '../helpers/http.ts';
import { auditScripts } from '../helpers/script-audit.ts';

function deps(): Deps {
  const d = makeDeps(testEnv);
  d.redis.trustReads([]);
  return d;
}

const flows: Record<string, (d: Deps, key: string) => Promise<unknown>> = {
  'a cache fill after a lookup': async (d, key) => {
    await d.redis.cacheGet(key);
    expect(await d.redis.cacheSet(key, { filled: true }, 60)).toBe(true);
  },
  'a write-through': async (d, key) => {
    expect(await d.redis.cacheRefresh(key, { fresh: true }, 60, [1, 2])).toBe(true);
    expect(await d.redis.cacheRefresh(key, null, 60, null)).toBe(true);
  },
  'an invalidation': async (d, key) => expect(await d.redis.cacheDelete(key)).toBe(true),
  "the daily job's release of a moved counter": async (d, key) => {
    const counter = `${key}:counter`;
    await redisClient().set(counter, '3');
    const moved: DailyCounter = { key: counter, metric: 'logins', day: '2001-01-01', counter: '3', marker: '', total: '3' };
    expect(await releaseDailyCounters(d, [moved])).toBe(1);
  },
  'a dashboard load': (d) => gatherDashboard(d, []),
};

describe("the app's scripts", () => {
  for (const [flow, run] of Object.entries(flows)) {
    it(`${flow}: every script declares allow-key-locking and touches only its KEYS`, async () => {
      const d = deps();
      const audit = auditScripts(d);
      await run(d, unique('script-audit-test:'));
      for (const call of audit.calls) {
        expect(call.source, 'a script the app does not know').not.toBeNull();
        expect(call.source!.split('\n')[0]).toBe(KEY_LOCKING_SHEBANG);
      }
      expect(await audit.undeclared()).toEqual([]);
      if (flow !== 'a dashboard load') expect(audit.calls.length).toBeGreaterThan(0);
    });
  }
});

describe('the audit', () => {
  it('catches a key the script did not declare, and a SCAN, and still answers what the script answers', async () => {
    const d = deps();
    const audit = auditScripts(d);
    const declared = unique('script-audit-test:');
    const sneaky = script(`
redis.call('SET', KEYS[1], 'mine')
redis.call('GET', 'script-audit-test:not-declared')
redis.call('SCAN', '0', 'COUNT', '10')
return redis.call('GET', KEYS[1])`);
    expect(await runScript(d.redis.gateway, sneaky, [declared], [])).toBe('mine');
    expect(await audit.undeclared()).toEqual(['script-audit-test:not-declared', '* (SCAN reaches every key)']);
  });
});
