import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { Keyring, type LimitSpec } from 'rampart';
import { rampart } from 'rampart/fastify';
import { redisStore, type RedisStore } from 'rampart/redis';
import { REDIS_URL, requireRedis } from '../../support/services.js';
import { defineStoreSuite, type FakeClock } from '../../unit/rate-limit/store-suite.js';
import { deletePrefix, keysUnder, ready, sleep, uniquePrefix } from './redis-helpers.js';

// The shared store suite, against the shared Redis (unique key prefix, cleaned up after).
const suiteClock: FakeClock = { now: 0 };
const suitePrefix = uniquePrefix('suite');
let suiteClient: Redis | undefined;
defineStoreSuite(
  'redis',
  async () => {
    suiteClient = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    suiteClient.on('error', () => undefined);
    try {
      await suiteClient.connect();
      await ready(suiteClient, 3000);
    } catch {
      return undefined;
    }
    return { store: redisStore({ client: suiteClient, prefix: suitePrefix, now: () => suiteClock.now }), clock: suiteClock };
  },
  async () => {
    if (suiteClient?.status === 'ready') await deletePrefix(suiteClient, suitePrefix);
    suiteClient?.disconnect();
  },
  requireRedis,
);

describe('Redis store on a real Redis', () => {
  const prefix = uniquePrefix('store');
  let client: Redis;
  let up = false;

  before(async () => {
    client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    up = await client.connect().then(
      () => true,
      () => false,
    );
  });
  after(async () => {
    if (up) await deletePrefix(client, prefix);
    client.disconnect();
  });

  async function app(store: RedisStore, rules: { name: string; limit: number; window: string; algorithm?: 'fixed-window' | 'gcra' }[]) {
    const fastify = Fastify();
    await fastify.register(rampart, { profile: 'test', keyring: new Keyring('k'.repeat(32)), rateLimit: { env: false, store, rules } });
    fastify.get('/x', async () => ({ ok: true }));
    await fastify.ready();
    after(() => fastify.close());
    return (ip = '203.0.113.5') => fastify.inject({ url: '/x', remoteAddress: ip });
  }

  it("decides on Redis's own clock by default", async (t) => {
    if (!(await requireRedis(t))) return;
    const store = redisStore({ client, prefix: `${prefix}clock:` });
    const spec: LimitSpec = { id: 'clock', algorithm: 'fixed-window', limit: 2, windowMs: 60_000, burst: 2 };
    const hit = { spec, key: 'k', cost: 1 };
    assert.equal((await store.consume([hit])).allowed, true);
    assert.equal((await store.consume([hit])).allowed, true);
    const rejected = await store.consume([hit]);
    assert.equal(rejected.allowed, false);
    const wait = rejected.results[0]?.retryAfterMs ?? 0;
    assert.ok(wait > 55_000 && wait <= 60_000, String(wait));
    const ttl = await client.pttl((await keysUnder(client, `${prefix}clock:`))[0] as string);
    assert.ok(ttl > 55_000 && ttl <= 60_000, `the counter expires with its window (${ttl} ms)`);
  });

  it('one round trip per request for every rule sharing a key', async (t) => {
    if (!(await requireRedis(t))) return;
    const store = redisStore({ client, prefix: `${prefix}trips:` });
    const send = await app(store, [
      { name: 'a', limit: 100, window: '1m' },
      { name: 'b', limit: 1000, window: '1h', algorithm: 'fixed-window' },
      { name: 'c', limit: 50, window: '10s', algorithm: 'gcra' },
    ]);
    assert.equal((await send()).statusCode, 200); // loads the script
    const before = store.stats().calls;
    for (let i = 0; i < 10; i++) assert.equal((await send()).statusCode, 200);
    assert.equal(store.stats().calls - before, 10);
  });

  it('stores keyed hashes in one hash tag per client, never the IP', async (t) => {
    if (!(await requireRedis(t))) return;
    const store = redisStore({ client, prefix: `${prefix}keys:` });
    const send = await app(store, [
      { name: 'a', limit: 100, window: '1m' },
      { name: 'b', limit: 100, window: '1h' },
    ]);
    await send('198.51.100.23');
    const keys = await keysUnder(client, `${prefix}keys:`);
    assert.equal(keys.length, 2);
    const tags = keys.map((key) => /^[^{]*\{([A-Za-z0-9_-]{22})\}:(a|b)$/.exec(key)?.[1]);
    assert.ok(tags[0] !== undefined && tags[0] === tags[1], `one tag: ${keys.join(' ')}`);
    assert.ok(!keys.join(' ').includes('198.51.100.23'));
  });

  it('blocked clients cost no round trip until their Retry-After has passed', async (t) => {
    if (!(await requireRedis(t))) return;
    const store = redisStore({ client, prefix: `${prefix}blocked:` });
    const send = await app(store, [{ name: 'tight', limit: 1, window: '1s', algorithm: 'fixed-window' }]);
    assert.equal((await send()).statusCode, 200);
    assert.equal((await send()).statusCode, 429);
    const calls = store.stats().calls;
    for (let i = 0; i < 20; i++) assert.equal((await send()).statusCode, 429);
    assert.equal(store.stats().calls, calls, 'answered locally');
    assert.equal(store.stats().cacheHits, 20);
    assert.equal((await send('203.0.113.99')).statusCode, 200, 'other clients still go to Redis');
    await sleep(1100);
    assert.equal((await send()).statusCode, 200, 'back to Redis after the wait');
  });

  it('connects from a URL with fail-fast settings, and closes what it opened', async (t) => {
    if (!(await requireRedis(t))) return;
    const store = redisStore({ url: REDIS_URL, prefix: `${prefix}url:` });
    await ready(store.client);
    const spec: LimitSpec = { id: 'url', algorithm: 'sliding-window', limit: 5, windowMs: 1000, burst: 5 };
    assert.equal((await store.consume([{ spec, key: 'k', cost: 1 }])).results[0]?.remaining, 4);
    await store.close();
    assert.equal(store.client.status, 'end');
  });
});
