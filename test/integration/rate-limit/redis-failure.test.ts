import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { CHANNEL_NAMES, STORE_UNAVAILABLE_DETAIL } from 'rampart';
import { rampart } from 'rampart/fastify';
import { redisStore, type RedisStore } from 'rampart/redis';
import { LogCapture } from '../../support/capture-log.js';
import { PrivateRedis, skipWithoutRedisBinaries } from './fixtures/redis-servers.js';
import { ready, sleep } from './redis-helpers.js';

const TIMEOUT_MS = 150;
const PAUSE_MS = 300;
/** Event-loop and scheduling slack on a busy two-core machine. */
const SLACK_MS = 250;

/**
 * Redis stops mid-run. A private redis-server (never the shared one) is
 * killed, frozen and restarted under an app with one rule per failure
 * policy. The client is ioredis with its defaults: offline queue on, 20
 * retries per command, the settings that make other limiters hang.
 */
describe('Redis store when Redis fails', { skip: skipWithoutRedisBinaries() }, () => {
  let server: PrivateRedis;
  let client: Redis;
  let store: RedisStore;
  let app: FastifyInstance;
  const failures: Record<string, unknown>[] = [];
  const onFailure = (message: unknown): void => void failures.push(message as Record<string, unknown>);

  before(async () => {
    server = await PrivateRedis.start();
    client = new Redis(server.url);
    client.on('error', () => undefined);
    await ready(client);
    store = redisStore({ client, timeoutMs: TIMEOUT_MS, pauseAfterFailureMs: PAUSE_MS });
    app = Fastify();
    await app.register(rampart, {
      profile: 'production',
      log: { level: 'fatal', destination: new LogCapture() },
      rateLimit: {
        env: false,
        store,
        rules: [
          { name: 'open', limit: 100, window: '1m', paths: '/open', onStoreFailure: 'open' },
          { name: 'closed', limit: 100, window: '1m', paths: '/closed', onStoreFailure: 'closed' },
          { name: 'fallback', limit: 3, window: '1m', paths: '/fallback', onStoreFailure: 'fallback' },
        ],
      },
    });
    for (const path of ['/open', '/closed', '/fallback']) app.get(path, async () => ({ ok: true }));
    await app.ready();
    subscribe(CHANNEL_NAMES.rateLimitStoreFailure, onFailure);
  });

  after(async () => {
    unsubscribe(CHANNEL_NAMES.rateLimitStoreFailure, onFailure);
    await app?.close();
    client?.disconnect();
    await server?.destroy();
  });

  async function timed(url: string): Promise<{ status: number; ms: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
    const started = performance.now();
    const response = await app.inject({ url, remoteAddress: '198.51.100.1' });
    return { status: response.statusCode, ms: performance.now() - started, body: JSON.parse(response.body) as Record<string, unknown>, headers: response.headers };
  }

  it('decides through Redis while it is up', async () => {
    for (const path of ['/open', '/closed', '/fallback']) assert.equal((await timed(path)).status, 200);
    assert.ok(store.stats().calls >= 3);
    assert.equal(store.stats().failures, 0);
  });

  it('after Redis dies: open admits, closed answers 503 problem+json, fallback limits locally, none waits past the timeout', async () => {
    await server.stop();
    failures.length = 0;
    const open = await timed('/open');
    assert.equal(open.status, 200);
    assert.ok(open.ms < TIMEOUT_MS + SLACK_MS, `open took ${open.ms} ms`);

    const closed = await timed('/closed');
    assert.equal(closed.status, 503);
    assert.equal(closed.body['code'], 'SERVICE_UNAVAILABLE');
    assert.equal(closed.body['detail'], STORE_UNAVAILABLE_DETAIL);
    assert.equal(closed.headers['retry-after'], '1');
    assert.ok(closed.ms < TIMEOUT_MS + SLACK_MS, `closed took ${closed.ms} ms`);

    // The local limiter takes over at once with the rule's own limit (3/min; it starts counting now).
    const local = [await timed('/fallback'), await timed('/fallback'), await timed('/fallback'), await timed('/fallback')];
    assert.deepEqual(
      local.map((response) => response.status),
      [200, 200, 200, 429],
    );
    for (const response of local) assert.ok(response.ms < TIMEOUT_MS + SLACK_MS, `fallback took ${response.ms} ms`);

    assert.deepEqual(
      failures.map((event) => event['policy']),
      ['open', 'closed', 'fallback', 'fallback', 'fallback', 'fallback'],
    );
    assert.ok(failures.every((event) => event['store'] === 'redis'));
  });

  it('after Redis returns (empty, scripts gone), decisions go back to Redis', async () => {
    const loadsBefore = store.stats().scriptLoads;
    await server.resume();
    await ready(client);
    await sleep(PAUSE_MS);
    failures.length = 0;
    const response = await timed('/fallback');
    assert.equal(response.status, 200, 'a fresh Redis counter, not the exhausted local one');
    assert.match(String(response.headers['ratelimit']), /^"fallback";r=2;/);
    assert.equal(failures.length, 0);
    assert.equal(store.stats().scriptLoads, loadsBefore + 1, 'EVALSHA hit NOSCRIPT once and the script was sent again');
    assert.equal(await client.dbsize(), 1, 'the counter lives in Redis again');
  });

  it('a Redis that hangs holds a request no longer than the timeout, and the next ones not at all', async () => {
    server.freeze();
    try {
      const first = await timed('/open');
      assert.equal(first.status, 200);
      assert.ok(first.ms >= TIMEOUT_MS - 20 && first.ms < TIMEOUT_MS + SLACK_MS, `first took ${first.ms} ms`);
      const next = await timed('/closed');
      assert.equal(next.status, 503);
      assert.ok(next.ms < 60, `paused after the failure: ${next.ms} ms`);
    } finally {
      server.thaw();
    }
    await sleep(PAUSE_MS + 50);
    assert.equal((await timed('/closed')).status, 200, 'recovered');
  });
});
