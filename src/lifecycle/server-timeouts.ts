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

export function applyServerTimeouts(server: Server, timeouts: Required<ServerTimeouts>): void {
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
}
