// `rampart/redis`: the Redis / Valkey rate-limit store. ioredis is an
// optional peer dependency, loaded only by this entry point.
import { RedisStore, type RedisStoreOptions } from './redis-store.js';

export { RedisStore, RedisUnavailableError, DEFAULT_REDIS_TIMEOUT_MS, type RedisStoreOptions, type RedisStoreStats } from './redis-store.js';

/**
 * A rate-limit store in Redis or Valkey (standalone or Cluster), shared by
 * every instance of the service.
 *
 * @example
 * import { redisStore } from 'rampart/redis';
 * const rampart = createRampart({
 *   rateLimit: { store: redisStore({ url: process.env.REDIS_URL }), rules: [{ name: 'api', limit: 100, window: '1m' }] },
 * });
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStore(options);
}
