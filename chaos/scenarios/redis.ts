// (a) the redis-server behind the Upstash stand-in killed (SIGKILL) and started again with its data, and
// (b) Redis that accepts connections and never answers (the stand-in's `hang` fault). Either way the contract
// says every endpoint answers as before, with no wait for a timeout but the circuit breaker's trials, and
// that caching, counters and rate limits come back by themselves.
import { firstTime } from '../fixtures.ts';
import type { Sample } from '../load.ts';
import { ms, percentile, type Report } from '../report.ts';
import { SETTINGS, type World } from '../world.ts';
import { medianUnder, type FaultFigures, type FaultPlan } from './fault.ts';

const counter = async (world: World, key: string) => Number(String((await world.redis(['GET', key])) ?? 0));

/** From `back`: the first answer with rate-limit headers, and the first growth of the cache-hit and call counters. */
async function redisRecovery(world: World, back: number, until: number, samples: Sample[]): Promise<Record<string, number | null>> {
  const hitsAtBack = await counter(world, 'cache_hits').catch(() => 0);
  const callsAtBack = await counter(world, 'total_api_calls').catch(() => 0);
  const [hits, calls, limits] = await Promise.all([
    firstTime(async () => (await counter(world, 'cache_hits')) > hitsAtBack, until - Date.now()),
    firstTime(async () => (await counter(world, 'total_api_calls')) > callsAtBack, until - Date.now()),
    firstTime(async () => samples.some((s) => s.at > back && s.rateLimitHeaders), until - Date.now()),
  ]);
  const limited = samples.find((s) => s.at > back && s.rateLimitHeaders);
  return {
    'rate limiting': limits === null || !limited ? null : limited.at - back,
    caching: hits === null ? null : hits - back,
    counters: calls === null ? null : calls - back,
  };
}

function judgeRedis(figures: FaultFigures, report: Report): void {
  report.check(figures.scenario, 'zero 5xx', figures.serverErrors.length === 0, JSON.stringify(figures.serverErrors.slice(0, 5)));
  const p50 = percentile(figures.during.map((s) => s.latencyMs), 50);
  report.check(figures.scenario, `most requests during the outage do not wait for the Redis timeout (p50 ${ms(p50)} < ${SETTINGS.redisTimeoutMs} ms)`, medianUnder(figures, SETTINGS.redisTimeoutMs));
  const limited = figures.during.filter((s) => s.rateLimitHeaders && s.at > figures.faultAt + SETTINGS.redisTimeoutMs + 500);
  report.check(figures.scenario, 'the Worker noticed: no answer during the outage came through the rate limiter once the first timeout had passed', limited.length === 0, `${limited.length} answers with RateLimit headers`);
}

export function redisKilled(world: World): FaultPlan {
  const server = world.stack.redisServer!;
  return {
    scenario: '(a) Redis killed',
    fault: 'redis-server killed with SIGKILL, then started again on its port with its append-only file',
    inject: () => server.stop('SIGKILL'),
    heal: () => server.restart(),
    tolerated: () => false,
    recovery: (back, until, samples) => redisRecovery(world, back, until, samples),
    judge: judgeRedis,
  };
}

export function redisHanging(world: World): FaultPlan {
  return {
    scenario: '(b) Redis hangs',
    fault: 'the Upstash stand-in accepts every connection and never answers, then answers again',
    inject: () => world.setRedisFault('hang'),
    heal: () => world.setRedisFault('none'),
    tolerated: () => false,
    recovery: (back, until, samples) => redisRecovery(world, back, until, samples),
    judge: judgeRedis,
  };
}
