import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { CHANNEL_NAMES, STORE_UNAVAILABLE_DETAIL, type Hit, type RateLimitStore, type StoreDecision } from 'rampart';
import { limitedApp } from './app.js';

/**
 * A store whose backend is down: every call fails. (The real outage, a
 * Redis server stopped mid-run, is in test/integration/rate-limit.) It also
 * records the keys it was given.
 */
class DownStore implements RateLimitStore {
  readonly name = 'down';
  readonly shared = true;
  readonly keys: string[] = [];
  async consume(hits: readonly Hit[]): Promise<StoreDecision> {
    this.keys.push(...hits.map((hit) => hit.key));
    throw new Error('connect ECONNREFUSED 10.1.2.3:6379');
  }
  async reset(): Promise<void> {}
  async penaltyStatus(): Promise<number> {
    throw new Error('down');
  }
  async penaltyFailure(): Promise<number> {
    throw new Error('down');
  }
  async penaltyClear(): Promise<void> {}
  async close(): Promise<void> {}
}

function failures(): { events: Record<string, unknown>[]; stop: () => void } {
  const events: Record<string, unknown>[] = [];
  const listener = (message: unknown): void => void events.push(message as Record<string, unknown>);
  subscribe(CHANNEL_NAMES.rateLimitStoreFailure, listener);
  return { events, stop: () => unsubscribe(CHANNEL_NAMES.rateLimitStoreFailure, listener) };
}

describe('rate-limit store failure policies', () => {
  it('open: requests keep succeeding, and every failure is published', async () => {
    const watch = failures();
    try {
      const { send } = await limitedApp({ store: new DownStore(), onStoreFailure: 'open', rules: [{ name: 'all', limit: 1, window: '1m' }] });
      for (let i = 0; i < 3; i++) {
        const response = await send('/x');
        assert.equal(response.status, 200);
        assert.equal(response.headers['ratelimit'], undefined, 'no numbers to report');
      }
    } finally {
      watch.stop();
    }
    assert.deepEqual(
      watch.events.map((event) => [event['store'], event['policy']]),
      [
        ['down', 'open'],
        ['down', 'open'],
        ['down', 'open'],
      ],
    );
  });

  it('closed: 503 problem+json with a safe detail and Retry-After, never 500, never the library message', async () => {
    const { send, logs } = await limitedApp({ store: new DownStore(), rules: [{ name: 'all', limit: 1, window: '1m', onStoreFailure: 'closed' }] });
    const response = await send('/x', { headers: { 'x-request-id': 'closed-1' } });
    assert.equal(response.status, 503);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(response.body['code'], 'SERVICE_UNAVAILABLE');
    assert.equal(response.body['detail'], STORE_UNAVAILABLE_DETAIL);
    assert.equal(response.body['requestId'], 'closed-1');
    assert.equal(response.headers['retry-after'], '1');
    assert.doesNotMatch(JSON.stringify(response.body), /ECONNREFUSED|10\.1\.2\.3|6379/);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const line = logs.lines.find((entry) => entry['code'] === 'RAMPART_RATE_LIMIT_STORE_FAILURE');
    assert.equal(line?.['policy'], 'closed');
    assert.match(JSON.stringify(line?.['err']), /ECONNREFUSED/, 'the cause reaches the log');
  });

  it('fallback: a memory limiter in this process takes over with the same limits', async () => {
    const { send } = await limitedApp({ store: new DownStore(), rules: [{ name: 'all', limit: 2, window: '1m' }] });
    assert.equal((await send('/x')).status, 200);
    assert.match((await send('/x')).headers['ratelimit'] ?? '', /^"all";r=0;/);
    assert.equal((await send('/x')).status, 429);
  });

  it('mixed policies: any closed rule closes; fallback rules decide locally, open ones are skipped', async () => {
    const mixed = await limitedApp({
      store: new DownStore(),
      rules: [
        { name: 'local', limit: 1, window: '1m', onStoreFailure: 'fallback' },
        { name: 'loose', limit: 1, window: '1m', onStoreFailure: 'open' },
      ],
    });
    const first = await mixed.send('/x');
    assert.equal(first.status, 200);
    assert.match(first.headers['ratelimit'] ?? '', /^"local";r=0;t=\d+$/);
    assert.equal((await mixed.send('/x')).status, 429);
    const strict = await limitedApp({
      store: new DownStore(),
      rules: [
        { name: 'local', limit: 5, window: '1m', onStoreFailure: 'fallback' },
        { name: 'strict', limit: 5, window: '1m', onStoreFailure: 'closed', paths: '/login' },
      ],
    });
    assert.equal((await strict.send('/x')).status, 200);
    assert.equal((await strict.send('/login')).status, 503);
  });

  it('logs a failing store once per interval with the count, not once per request', async () => {
    const { send, logs } = await limitedApp({ store: new DownStore(), onStoreFailure: 'open', rules: [{ name: 'all', limit: 1, window: '1m' }] });
    for (let i = 0; i < 20; i++) await send('/x');
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(logs.lines.filter((line) => line['code'] === 'RAMPART_RATE_LIMIT_STORE_FAILURE').length, 1);
  });

  it('a shared store is given keyed hashes, never the client IP or API key', async () => {
    const store = new DownStore();
    const { send } = await limitedApp({
      store,
      onStoreFailure: 'open',
      rules: [
        { name: 'ip', limit: 1, window: '1m' },
        { name: 'key', limit: 1, window: '1m', key: { header: 'x-api-key' } },
      ],
    });
    await send('/x', { ip: '203.0.113.77', headers: { 'x-api-key': 'sk_live_secret' } });
    assert.equal(store.keys.length, 2);
    for (const key of store.keys) {
      assert.doesNotMatch(key, /203\.0\.113\.77|sk_live_secret/);
      assert.match(key, /^(k:)?[A-Za-z0-9_-]{22}$/);
    }
  });

  it('brute-force guard follows its policy: closed answers 503, fallback keeps counting locally', async () => {
    const { app } = await limitedApp({ store: new DownStore() });
    const state = app.rampart.begin({ method: 'POST', url: '/login', remoteAddress: '192.0.2.1', encrypted: false, header: () => undefined });
    const closed = app.rampart.rateLimit.bruteForceGuard({ onStoreFailure: 'closed' });
    await assert.rejects(closed.check(state, 'erin'), { code: 'SERVICE_UNAVAILABLE', status: 503 });
    const fallback = app.rampart.rateLimit.bruteForceGuard({ name: 'login2', perUserAndIp: { failures: 1 } });
    assert.equal(await fallback.failure(state, 'erin'), 60);
    await assert.rejects(fallback.check(state, 'erin'), { code: 'RATE_LIMITED' });
  });
});
