// Child process of `npm run bench:ratelimit`: fills one memory store with
// 1M keys and reports the heap and array-buffer bytes it grew by, per key.
// One store per process, so no other allocation muddies the figure.
//   node --conditions=source --import tsx --expose-gc bench/rate-limit-bytes.ts <rampart|rate-limiter-flexible|express-rate-limit>
import { MemoryStore as ErlStore } from 'express-rate-limit';
import { MemoryStore, type LimitSpec } from 'rampart';
import { RateLimiterMemory } from 'rate-limiter-flexible';

const KEYS = 1_000_000;
const which = process.argv[2];
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

/** Client IPs as a store would see them: 1M distinct IPv4 strings, made inside the measured span (the store keeps them). */
const ip = (i: number): string => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

function used(): number {
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
}

const spec: LimitSpec = Object.freeze({ id: 'bytes', algorithm: 'sliding-window', limit: 1_000_000, windowMs: 3_600_000, burst: 1_000_000 });
let keep: unknown;
const before = used();
switch (which) {
  case 'rampart': {
    const store = new MemoryStore({ maxKeys: KEYS });
    for (let i = 0; i < KEYS; i++) store.consume([{ spec, key: ip(i), cost: 1 }]);
    if (store.stats().keys !== KEYS) throw new Error(`expected ${KEYS} keys, held ${store.stats().keys}`);
    keep = store;
    break;
  }
  case 'rate-limiter-flexible': {
    const limiter = new RateLimiterMemory({ points: 1_000_000, duration: 3600 });
    for (let i = 0; i < KEYS; i++) await limiter.consume(ip(i));
    keep = limiter;
    break;
  }
  case 'express-rate-limit': {
    const store = new ErlStore();
    store.init({ windowMs: 3_600_000 } as never);
    for (let i = 0; i < KEYS; i++) await store.increment(ip(i));
    keep = store;
    break;
  }
  default:
    throw new Error(`unknown store ${which}`);
}
const after = used();
process.send?.({ bytesPerKey: (after - before) / KEYS, keep: keep !== undefined });
process.exit(0);
