import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRampart, memoryStore, type MemoryStore, type Rampart, type RequestView } from 'rampart';
import { LogCapture } from '../support/capture-log.js';
import { recordFigures } from './figures.js';
import { mib, ms } from './load.js';

/**
 * A million distinct client addresses (a botnet, rotating proxies) pass
 * through the pipeline's rate-limit stage of one process. The memory store
 * stays within its configured `maxKeys`, and so within its memory bound;
 * clients known before the flood keep their own counters.
 *
 * Requests enter through `begin()` and `admit()`, exactly what an adapter
 * calls before the handler, without sockets: a million HTTP requests would
 * take minutes and measure the HTTP stack rather than the store.
 */
const FLOOD = 1_000_000;
const MAX_KEYS = 100_000;
const LIMIT = 10;
/** `npm run bench:ratelimit` measures 107 bytes per tracked key (1M IPv4 keys); allow 50 % for the test's own allocations and GC timing. */
const BYTES_PER_KEY_BOUND = 160;
const RESIDENTS = 50;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function settledMemory(): { heap: number; external: number; rss: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.arrayBuffers, rss: usage.rss };
}

function view(address: string): RequestView {
  return { method: 'GET', url: '/api/items', remoteAddress: address, encrypted: false, header: () => undefined };
}

/** The i-th address of 10.0.0.0/8 (16.7M of them). */
function address(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

interface Outcome {
  readonly admitted: number;
  readonly rejected: number;
  readonly ms: number;
}

function flood(rampart: Rampart, from: number, count: number): Outcome {
  let admitted = 0;
  let rejected = 0;
  const started = performance.now();
  for (let i = from; i < from + count; i++) {
    const request = view(address(i));
    const verdict = rampart.admit(rampart.begin(request), request);
    assert.ok(!(verdict instanceof Promise), 'the memory store decides synchronously');
    if (verdict === undefined) admitted++;
    else rejected++;
  }
  return { admitted, rejected, ms: performance.now() - started };
}

function build(maxKeys: number): { rampart: Rampart; store: MemoryStore } {
  const store = memoryStore({ maxKeys });
  const rampart = createRampart({
    profile: 'production',
    log: { destination: new LogCapture(), level: 'warn' },
    securityLog: false,
    metrics: false,
    overload: false,
    health: { processChecks: false },
    // Fixed windows start at a key's first request, so the counts asserted are
    // exact whenever the run crosses a minute; every algorithm takes the same slot.
    rateLimit: { env: false, store, rules: [{ name: 'per-ip', limit: LIMIT, window: '1m', algorithm: 'fixed-window' }] },
  });
  return { rampart, store };
}

/** Remaining budget of one client, from the RateLimit header its next request would get. */
function remaining(rampart: Rampart, client: string): number {
  const request = view(client);
  const state = rampart.begin(request);
  assert.equal(rampart.admit(state, request), undefined);
  const headers = state.responseHeaders ?? [];
  const header = headers[headers.findIndex((name, i) => i % 2 === 0 && name.toLowerCase() === 'ratelimit') + 1];
  const match = /r=(\d+)/.exec(String(header));
  assert.ok(match !== null, `a RateLimit header: ${String(header)}`);
  return Number(match[1]);
}

describe(`memory store under ${FLOOD.toLocaleString('en')} distinct keys`, () => {
  it(`stays within maxKeys (${MAX_KEYS.toLocaleString('en')}) and its memory bound; earlier clients keep their counters`, async () => {
    const { rampart, store } = build(MAX_KEYS);
    const baseline = settledMemory();
    // Clients that were here first, each one request into its budget.
    const residents = Array.from({ length: RESIDENTS }, (_, i) => `192.0.2.${i + 1}`);
    for (const client of residents) assert.equal(remaining(rampart, client), LIMIT - 1);

    const outcome = flood(rampart, 0, FLOOD);
    const flooded = settledMemory();
    const stats = store.stats();
    assert.ok(stats.keys <= MAX_KEYS, `${stats.keys} keys held, bound ${MAX_KEYS}`);
    assert.ok(stats.capacity <= MAX_KEYS, `capacity ${stats.capacity}`);
    assert.equal(stats.overflowed, FLOOD - (MAX_KEYS - RESIDENTS), 'keys beyond the bound shared the overflow counter');
    // The overflow counter is one budget for the whole flood, not one per address.
    assert.equal(outcome.admitted, MAX_KEYS - RESIDENTS + LIMIT);
    for (const client of residents) assert.equal(remaining(rampart, client), LIMIT - 2, `${client} kept its own counter`);

    const grown = flooded.heap + flooded.external - (baseline.heap + baseline.external);
    const bound = MAX_KEYS * BYTES_PER_KEY_BOUND;
    assert.ok(grown < bound, `heap + array buffers grew ${mib(grown)}, bound ${mib(bound)}`);
    await rampart.close();

    // Side by side: the same flood into a store allowed to hold every key.
    const unbounded = build(FLOOD + RESIDENTS);
    const before = settledMemory();
    const unboundedOutcome = flood(unbounded.rampart, 0, FLOOD);
    const after = settledMemory();
    const unboundedGrowth = after.heap + after.external - (before.heap + before.external);
    assert.equal(unbounded.store.stats().keys, FLOOD);
    assert.equal(unboundedOutcome.admitted, FLOOD);
    await unbounded.rampart.close();

    recordFigures('memory-store-flood', {
      title: `Memory store under ${FLOOD.toLocaleString('en')} distinct keys`,
      group: 'floods',
      command: 'npm test -- test/reliability/memory-store-flood.test.ts',
      claim: `A million distinct client addresses pass the rate-limit stage (begin + admit, as an adapter calls them) of one process whose memory store has maxKeys ${MAX_KEYS.toLocaleString('en')}: it never holds more, its memory stays under ${BYTES_PER_KEY_BOUND} bytes per allowed key, the keys beyond the bound share one overflow budget, and ${RESIDENTS} clients known before the flood keep their own counters.`,
      figures: {
        'distinct keys sent': FLOOD,
        maxKeys: MAX_KEYS,
        'keys held after the flood': stats.keys,
        'decisions on the overflow counter': stats.overflowed,
        'heap + array buffers grown (bounded store)': mib(grown),
        'memory bound asserted': mib(bound),
        'heap + array buffers grown (same flood, store holding every key)': mib(unboundedGrowth),
        'bounded / unbounded memory': `${(grown / unboundedGrowth).toFixed(2)}×`,
        'process RSS after the flood': mib(flooded.rss),
        'flood time, bounded store (90 % answered with a 429 problem)': ms(outcome.ms),
        'flood time, store holding every key (all admitted)': ms(unboundedOutcome.ms),
      },
    });
  });
});
