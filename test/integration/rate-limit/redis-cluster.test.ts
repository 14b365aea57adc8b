import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { Keyring, createRampart, type LimitSpec } from 'rampart';
import { redisStore, type RedisStore } from 'rampart/redis';
import { defineStoreSuite, type FakeClock } from '../../unit/rate-limit/store-suite.js';
import { PrivateCluster, redisBinariesPresent, skipWithoutRedisBinaries } from './fixtures/redis-servers.js';
import { ready, uniquePrefix } from './redis-helpers.js';

/**
 * A real 3-master Redis Cluster on loopback, built in the test from Debian's
 * redis-server and `redis-cli --cluster create`, torn down at the end.
 */
let cluster: PrivateCluster | undefined;
let client: Cluster | undefined;
let startError: unknown;
const clusterReady = (async () => {
  if (!redisBinariesPresent()) return undefined;
  cluster = await PrivateCluster.start(3);
  client = new Cluster(cluster.seeds, { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on('error', () => undefined);
  await ready(client, 15_000);
  return client;
})().catch((error: unknown) => {
  // Reported by the tests (a failed start is a failure, not a skip).
  startError = error;
  return undefined;
});

after(async () => {
  client?.disconnect();
  await cluster?.destroy();
});

const suiteClock: FakeClock = { now: 0 };
defineStoreSuite(
  'redis cluster',
  async () => {
    const connected = await clusterReady;
    if (startError !== undefined) throw startError;
    if (connected === undefined) return undefined;
    return { store: redisStore({ client: connected, prefix: uniquePrefix('cluster-suite'), now: () => suiteClock.now }), clock: suiteClock };
  },
  async () => undefined,
  async (t) => {
    if (redisBinariesPresent()) return true;
    if (process.env['CI'] === 'true') throw new Error('redis-server is not installed (CI=true: integration tests may not skip)');
    t.skip('redis-server is not installed');
    return false;
  },
);

describe('Redis store on Redis Cluster', { skip: skipWithoutRedisBinaries() }, () => {
  let store: RedisStore;
  const prefix = uniquePrefix('cluster');

  before(async () => {
    const connected = await clusterReady;
    if (startError !== undefined) throw startError;
    assert.ok(connected !== undefined);
    // No blocked cache: every decision below must reach the cluster.
    store = redisStore({ client: connected, prefix, blockedCacheSize: 0 });
  });

  it('is a real cluster: three masters sharing the slots', async () => {
    const nodes = (client as Cluster).nodes('master');
    assert.equal(nodes.length, 3);
    const slots = (await (client as Cluster).cluster('SLOTS')) as unknown[];
    assert.equal(slots.length, 3);
  });

  it("keeps all of one client's counters in one slot, spreading clients over the nodes", async () => {
    const rampart = createRampart({
      profile: 'test',
      keyring: new Keyring('c'.repeat(32)),
      rateLimit: {
        env: false,
        store: redisStore({ client: client as Cluster, prefix }),
        rules: [
          { name: 'a', limit: 10, window: '1m' },
          { name: 'b', limit: 100, window: '1h', algorithm: 'gcra' },
        ],
      },
    });
    const slotsByClient = new Map<string, Set<number>>();
    for (let i = 0; i < 30; i++) {
      const ip = `198.51.100.${i}`;
      const state = rampart.begin({ method: 'GET', url: '/', remoteAddress: ip, encrypted: false, header: () => undefined });
      await rampart.rateLimit.consume(state, ['a', 'b']);
      const tag = rampart.rateLimit.hashKey(ip);
      const slots = new Set<number>();
      for (const name of ['a', 'b']) slots.add(Number(await (client as Cluster).cluster('KEYSLOT', `${prefix}{${tag}}:${name}`)));
      slotsByClient.set(ip, slots);
      assert.equal(await (client as Cluster).exists(`${prefix}{${tag}}:a`, `${prefix}{${tag}}:b`), 2);
    }
    for (const [ip, slots] of slotsByClient) assert.equal(slots.size, 1, ip);
    const distinct = new Set([...slotsByClient.values()].map((slots) => [...slots][0]));
    assert.ok(distinct.size > 10, 'clients spread over many slots');
    await rampart.close();
  });

  it('rules keyed on different identities (other slots) stay all or nothing: the slot that counted is refunded', async () => {
    const ipRule: LimitSpec = { id: 'ip', algorithm: 'sliding-window', limit: 100, windowMs: 60_000, burst: 100 };
    const keyRule: LimitSpec = { id: 'apikey', algorithm: 'fixed-window', limit: 2, windowMs: 60_000, burst: 2 };
    const hits = [
      { spec: ipRule, key: 'identity-ip', cost: 1 },
      { spec: keyRule, key: 'identity-key', cost: 1 },
    ];
    assert.equal((await store.consume(hits)).allowed, true);
    assert.equal((await store.consume(hits)).allowed, true);
    for (let i = 0; i < 5; i++) {
      const rejected = await store.consume(hits);
      assert.equal(rejected.allowed, false);
      assert.deepEqual(
        rejected.results.map((result) => result.allowed),
        [true, false],
      );
    }
    const check = await store.consume([{ spec: ipRule, key: 'identity-ip', cost: 0 }]);
    assert.equal(check.results[0]?.remaining, 98, 'only the two admitted requests count on the IP rule');
  });
});
