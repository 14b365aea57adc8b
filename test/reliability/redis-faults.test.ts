import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { CHANNEL_NAMES } from 'rampart';
import { rampart } from 'rampart/fastify';
import { DEFAULT_REDIS_TIMEOUT_MS, redisStore } from 'rampart/redis';
import { LogCapture } from '../support/capture-log.js';
import { PrivateRedis } from '../support/private-redis.js';
import { waitUntil } from '../support/free-port.js';
import { recordFigures } from './figures.js';
import { ms, startLoad, summarize, type Sample } from './load.js';

/**
 * Redis fails under load, twice: killed (SIGKILL, connections refused) and
 * frozen (SIGSTOP, connections open and silent), each for a few seconds and
 * then back. A Fastify app on a real port limits three paths through one
 * Redis store, one rule per failure policy, with the store's defaults (200 ms
 * timeout, 1 s pause after a failure). A private redis-server is used; the
 * shared one is never touched.
 */
const POLICIES = ['open', 'closed', 'fallback'] as const;
type Policy = (typeof POLICIES)[number];
const OUTAGE_MS = 3000;
/** The store's timeout plus event-loop and scheduling slack: the load and the server share this process on a two-core machine. */
const MAX_WAIT_MS = DEFAULT_REDIS_TIMEOUT_MS + 400;
const sleep = (delay: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, delay));

interface Fault {
  readonly name: 'killed' | 'frozen';
  readonly startedAt: number;
  readonly endedAt: number;
}

describe('Redis stopped and restarted under load, for each failure policy', () => {
  it('no request waits past the store timeout, none gets a 500, each policy answers as documented, decisions return to Redis by themselves', async (t) => {
    const redis = await PrivateRedis.start(t);
    if (redis === undefined) return;
    const failures: { at: number; policy: string }[] = [];
    const onFailure = (message: unknown): void => void failures.push({ at: performance.now(), policy: String((message as { policy: string }).policy) });
    subscribe(CHANNEL_NAMES.rateLimitStoreFailure, onFailure);
    const app = Fastify();
    try {
      await app.register(rampart, {
        profile: 'production',
        log: { destination: new LogCapture(), level: 'warn' },
        securityLog: false,
        health: { processChecks: false },
        rateLimit: {
          env: false,
          store: redisStore({ url: redis.url }),
          // Limits far above the load: every non-200 below comes from a failure policy, not from a limit.
          rules: POLICIES.map((policy) => ({ name: policy, limit: 1_000_000, window: '1m', paths: `/${policy}`, onStoreFailure: policy })),
        },
      });
      for (const policy of POLICIES) app.get(`/${policy}`, async () => ({ policy }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;

      const load = startLoad({ port, concurrency: 6, maxRequests: 200_000, maxMs: 40_000, pauseMs: 5, keepHeader: 'retry-after', next: (n) => ({ path: `/${POLICIES[n % 3] as Policy}` }) });
      const faults: Fault[] = [];
      const byRedis = (policy: Policy, from: number): boolean => {
        const lastFailure = failures.filter((failure) => failure.policy === policy).at(-1)?.at ?? 0;
        return load.samples.filter((sample) => sample.at > Math.max(from, lastFailure) && policyOf(sample) === policy).length >= 20;
      };
      const recovered = (from: number): Promise<void> => waitUntil(() => POLICIES.every((policy) => byRedis(policy, from)), 'decisions back on Redis for every policy', 20_000);

      await sleep(1500);
      let startedAt = performance.now();
      await redis.stop();
      await sleep(OUTAGE_MS);
      await redis.resume();
      faults.push({ name: 'killed', startedAt, endedAt: performance.now() });
      await recovered((faults.at(-1) as Fault).endedAt);
      await sleep(1000);

      startedAt = performance.now();
      redis.freeze();
      await sleep(OUTAGE_MS);
      redis.thaw();
      faults.push({ name: 'frozen', startedAt, endedAt: performance.now() });
      await recovered((faults.at(-1) as Fault).endedAt);
      await sleep(1000);
      const samples = await load.stop();
      const metrics = await app.rampart.metrics?.registry.metrics();

      const all = summarize(samples);
      assert.equal(all.serverErrors, 0, `no 500s: ${JSON.stringify(all.statuses)}`);
      assert.equal(all.noAnswer, 0, `every request answered: ${JSON.stringify(all.statuses)}`);
      const figures: Record<string, string | number> = { 'requests sent': samples.length, '500s or unanswered': all.serverErrors + all.noAnswer };
      for (const [index, fault] of faults.entries()) {
        const nextStarted = faults[index + 1]?.startedAt ?? Infinity;
        const during = samples.filter((sample) => sample.at >= fault.startedAt && sample.at < fault.endedAt);
        const outcome = (policy: Policy): Sample[] => during.filter((sample) => policyOf(sample) === policy);
        assert.ok(during.length > 100, `load continued while Redis was ${fault.name} (${during.length})`);
        const slowest = Math.max(...during.map((sample) => sample.ms));
        assert.ok(slowest < MAX_WAIT_MS, `Redis ${fault.name}: the slowest request took ${Math.round(slowest)} ms (store timeout ${DEFAULT_REDIS_TIMEOUT_MS} ms)`);
        assert.ok(outcome('open').every((sample) => sample.status === 200), `open admits: ${JSON.stringify(summarize(outcome('open')).statuses)}`);
        assert.ok(outcome('fallback').every((sample) => sample.status === 200), `fallback limits locally (and admits, under its limit): ${JSON.stringify(summarize(outcome('fallback')).statuses)}`);
        const closed = outcome('closed');
        const refused = closed.filter((sample) => sample.status === 503);
        assert.ok(closed.every((sample) => sample.status === 200 || sample.status === 503), `closed answers 200 or 503: ${JSON.stringify(summarize(closed).statuses)}`);
        assert.ok(refused.length > 10, `closed refused requests while Redis was ${fault.name} (${refused.length})`);
        assert.ok(refused.every((sample) => sample.code === 'SERVICE_UNAVAILABLE' && sample.header === '1' && sample.contentType.startsWith('application/problem+json')), 'as 503 problem+json with Retry-After: 1');
        figures[`Redis ${fault.name}: requests during the fault`] = during.length;
        figures[`Redis ${fault.name}: max latency during the fault`] = ms(slowest);
        figures[`Redis ${fault.name}: closed policy answered 503`] = refused.length;
        for (const policy of POLICIES) {
          const last = failures.filter((failure) => failure.policy === policy && failure.at >= fault.endedAt && failure.at < nextStarted).at(-1)?.at ?? fault.endedAt;
          figures[`Redis ${fault.name}: ${policy} policy back on Redis after`] = ms(last - fault.endedAt);
        }
      }
      for (const policy of POLICIES) {
        const counted = new RegExp(`rampart_rate_limit_store_failures_total\\{store="redis",policy="${policy}"\\} (\\d+)`).exec(metrics ?? '');
        assert.ok(counted !== null && Number(counted[1]) > 0, `failures under the ${policy} policy are counted in metrics`);
      }

      recordFigures('redis-restart', {
        title: 'Redis killed, frozen and restarted under load',
        group: 'faults',
        command: 'npm test -- test/reliability/redis-faults.test.ts',
        claim: `A private redis-server is killed (SIGKILL) and later frozen (SIGSTOP) for ${OUTAGE_MS / 1000} s each under load on three paths, one rate-limit rule per failure policy, store defaults (${DEFAULT_REDIS_TIMEOUT_MS} ms timeout, 1 s pause after a failure): no request waits past the timeout (plus scheduling slack), none gets a 500 or goes unanswered, open admits, closed answers 503 problem+json with Retry-After: 1, fallback decides locally, and decisions return to Redis without a restart. "Back on Redis after" is the time from Redis answering again to the last failed store call.`,
        figures,
      });
    } finally {
      unsubscribe(CHANNEL_NAMES.rateLimitStoreFailure, onFailure);
      await app.close();
      await redis.destroy();
    }
  });
});

function policyOf(sample: Sample): Policy {
  return sample.path.slice(1) as Policy;
}
