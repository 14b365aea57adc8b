import type { Secret } from '../secrets/secret.js';
import { DEFAULT_CHECK_TIMEOUT_MS, type Check, type CheckResult } from './check.js';
import { redisFailure, type Failure } from './connection-failure.js';

/** What the check needs from an `ioredis` client or cluster. */
export interface RedisPingable {
  ping(): Promise<string>;
}

interface RedisHandle extends RedisPingable {
  connect(): Promise<void>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly stream?: { destroy(): void };
}

type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisHandle;

export interface RedisCheckOptions {
  /** A Redis URL (`redis://`, `rediss://`; a `Secret` from the configuration or a string). Each run connects and disconnects. Give this or `client`. */
  url?: Secret | string;
  /** An application's `ioredis` client or cluster: each run sends it a PING. */
  client?: RedisPingable;
  /** Default `redis:connection`. */
  name?: string;
  /** Default true. */
  critical?: boolean;
  /** Default 2000 ms; the connection is dropped when it runs out. */
  timeoutMs?: number;
  cacheMs?: number;
  /** The setting the URL came from, named in remedies. Default `REDIS_URL`. */
  setting?: string;
}

/**
 * Does Redis answer a PING? With a URL, connects without retries or an
 * offline queue, so a dead server fails at once instead of being retried
 * until the timeout. Outputs are fixed phrases: never a host or a driver
 * message. Needs `ioredis` when given a URL.
 *
 * @example
 * redisCheck({ url: config.REDIS_URL })
 */
export function redisCheck(options: RedisCheckOptions): Check {
  if ((options.url === undefined) === (options.client === undefined)) throw new TypeError('redisCheck needs exactly one of url or client.');
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const setting = options.setting ?? 'REDIS_URL';

  function failed(error: unknown): CheckResult {
    const failure = redisFailure(error);
    return { status: 'fail', output: failure.output, remedy: remedyFor(failure, setting) };
  }

  async function ping(client: RedisPingable): Promise<CheckResult> {
    const reply = await client.ping();
    return reply === 'PONG' ? { status: 'pass', output: 'PONG' } : { status: 'fail', output: 'unexpected reply to PING', remedy: `check that ${setting} points at Redis` };
  }

  async function viaUrl(signal: AbortSignal): Promise<CheckResult> {
    const Redis = await loadIoredis();
    const url = options.url as Secret | string;
    const client = new Redis(typeof url === 'string' ? url : url.reveal(), {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      connectionName: 'rampart-check',
    });
    // ioredis emits connection errors as events and logs them if nobody listens;
    // the first one is the real cause (a later "Connection is closed" is not).
    let cause: Error | undefined;
    client.on('error', (error) => {
      cause ??= error;
    });
    // disconnect() half-closes and waits for the server's goodbye, which a
    // hung server never sends: on failure the socket is destroyed instead.
    const destroy = (): void => {
      client.disconnect();
      client.stream?.destroy();
    };
    signal.addEventListener('abort', destroy, { once: true });
    let healthy = false;
    try {
      await client.connect();
      const result = await ping(client);
      healthy = result.status === 'pass';
      return result;
    } catch (error) {
      return failed(cause ?? error);
    } finally {
      signal.removeEventListener('abort', destroy);
      if (healthy) client.disconnect();
      else destroy();
    }
  }

  async function viaClient(): Promise<CheckResult> {
    try {
      return await ping(options.client as RedisPingable);
    } catch (error) {
      return failed(error);
    }
  }

  return Object.freeze({
    name: options.name ?? 'redis:connection',
    critical: options.critical ?? true,
    timeoutMs,
    cacheMs: options.cacheMs ?? 0,
    run: (signal: AbortSignal) => (options.client === undefined ? viaUrl(signal) : viaClient()),
  });
}

async function loadIoredis(): Promise<RedisConstructor> {
  // Optional peer dependency: loaded only when a URL check runs.
  const module = (await import('ioredis')) as unknown as { default?: RedisConstructor; Redis?: RedisConstructor };
  return (module.Redis ?? module.default) as RedisConstructor;
}

function remedyFor(failure: Failure, setting: string): string {
  switch (failure.kind) {
    case 'auth':
      return `check the password (and user) in ${setting}`;
    case 'tls':
      return `check the rediss:// URL in ${setting} and the server's certificate`;
    case 'busy':
      return 'wait for Redis to finish loading or for a primary to be elected';
    case 'missing':
    case 'timeout':
    case 'network':
    case 'other':
      return `check ${setting} and that Redis is running and reachable`;
  }
}
