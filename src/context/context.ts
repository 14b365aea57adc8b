import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import { RampartError } from '../errors/option-error.js';
import type { RequestState } from '../pipeline/request-state.js';

const storage = new AsyncLocalStorage<RequestState>();

/** Runs `fn` with `state` as the current request for everything it calls, synchronously or not. */
export function runWithRequest<T>(state: RequestState, fn: () => T): T {
  return storage.run(state, fn);
}

/** The request being handled, or undefined outside a request. */
export function currentRequest(): RequestState | undefined {
  return storage.getStore();
}

function requireRequest(accessor: string): RequestState {
  const state = storage.getStore();
  if (state === undefined) {
    throw new RampartError('RAMPART_NO_REQUEST_CONTEXT', `${accessor}() was called outside a request handled by Rampart.`);
  }
  return state;
}

/** The request-scoped logger: every line carries `reqId` (and `traceId`). Throws outside a request. */
export function log(): Logger {
  return requireRequest('log').log;
}

/** Records who is calling, for the access log, metrics and rate-limit keys. */
export function setUser(userId: string): void {
  requireRequest('setUser').userId = userId;
}
