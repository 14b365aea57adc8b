import type { Server } from 'node:http';
import { invalidOption } from '../errors/option-error.js';

export interface ServerTimeouts {
  /**
   * How long an idle keep-alive connection stays open. It must outlast the
   * load balancer's own idle timeout, or the server closes a connection the
   * balancer is about to reuse and a client gets a 502 (AWS ALB: 60 s,
   * nginx `keepalive_timeout`: 60–75 s). Default 65000.
   */
  keepAliveTimeoutMs?: number;
  /**
   * Time allowed to receive a request's headers: slowloris protection. Kept
   * above `keepAliveTimeoutMs`, as Node's documentation advises, so a
   * keep-alive connection is never cut by the header timer first. Default 66000.
   */
  headersTimeoutMs?: number;
  /** Time allowed to receive a whole request, body included. Default 120000 (Node's own is 300000). */
  requestTimeoutMs?: number;
}

export const DEFAULT_SERVER_TIMEOUTS = Object.freeze({
  keepAliveTimeoutMs: 65_000,
  headersTimeoutMs: 66_000,
  requestTimeoutMs: 120_000,
} satisfies Required<ServerTimeouts>);

/** Validates the timeouts once, at construction. */
export function resolveServerTimeouts(options: ServerTimeouts | false | undefined): Required<ServerTimeouts> | false {
  if (options === false) return false;
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidOption('shutdown.timeouts', 'an object or false', options);
  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...options };
  for (const [key, value] of Object.entries(timeouts)) {
    if (!Number.isInteger(value) || value < 0) throw invalidOption(`shutdown.timeouts.${key}`, 'a non-negative integer of milliseconds', value);
  }
  // Node refuses a request timeout shorter than the headers timeout (both non-zero).
  if (timeouts.requestTimeoutMs !== 0 && timeouts.requestTimeoutMs < timeouts.headersTimeoutMs) {
    throw invalidOption('shutdown.timeouts.requestTimeoutMs', `at least headersTimeoutMs (${timeouts.headersTimeoutMs})`, timeouts.requestTimeoutMs);
  }
  return Object.freeze(timeouts);
}

/** Timeouts are checked at least once a second… */
const MAX_CHECK_INTERVAL_MS = 1000;
/** …and no more often than 20 times a second, however short they are. */
const MIN_CHECK_INTERVAL_MS = 50;

/**
 * Node enforces `headersTimeout` and `requestTimeout` from a timer that fires
 * every `connectionsCheckingInterval` (30 s by default), so a slow-headers
 * client is cut off up to 30 s after its deadline: 66–96 s with the defaults,
 * 2–32 s with a 2 s timeout. Checking every quarter of the shortest timeout,
 * at most once a second, keeps each within a second (or 25 %) of its
 * setting; a check walks only the connections with a request in progress.
 */
export function connectionsCheckInterval(timeouts: Required<ServerTimeouts>): number {
  const set = [timeouts.headersTimeoutMs, timeouts.requestTimeoutMs].filter((ms) => ms > 0);
  if (set.length === 0) return MAX_CHECK_INTERVAL_MS;
  return Math.max(MIN_CHECK_INTERVAL_MS, Math.min(MAX_CHECK_INTERVAL_MS, Math.floor(Math.min(...set) / 4)));
}

export function applyServerTimeouts(server: Server, timeouts: Required<ServerTimeouts>): void {
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  // createServer's option, stored on the server and read when it starts
  // listening (@types/node types only the option). A server already listening
  // (Fastify attaches from onListen) has its checker running at the old
  // interval: Node's own 'listening' listener restarts it, clearing the old timer.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = connectionsCheckInterval(timeouts);
  if (!server.listening) return;
  for (const listener of server.listeners('listening')) {
    if (listener.name === 'setupConnectionsTracking') (listener as () => void).call(server);
  }
}
