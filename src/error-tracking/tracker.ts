import type { RequestState } from '../pipeline/request-state.js';

/** Where an error was caught. */
export type ErrorKind = 'request' | 'uncaughtException' | 'unhandledRejection';

/** What Rampart knows about an error it reports: never secrets, never a body. */
export interface ErrorContext {
  readonly kind: ErrorKind;
  readonly requestId?: string;
  readonly traceId?: string;
  readonly method?: string;
  /** Route template, e.g. `/notes/:id`. */
  readonly route?: string;
  /** Path without the query string; sensitive-looking segments are not removed, so do not put secrets in paths. */
  readonly path?: string;
  readonly status?: number;
  readonly userId?: string;
  readonly userAgent?: string;
  /** The `cause` chain, outermost first: name and message of each. */
  readonly causes: readonly { readonly name: string; readonly message: string }[];
}

/**
 * Receives 5xx and unhandled errors (4xx are the client's, not bugs). Sentry
 * is one implementation (`sentryErrorTracker`); a test double or another
 * vendor is a three-line object.
 */
export interface ErrorTracker {
  capture(error: unknown, context: ErrorContext): void;
  /** Sends what is queued; called at shutdown with the time left. Resolves false when it could not finish. */
  flush?(timeoutMs: number): Promise<boolean>;
}

const MAX_CAUSES = 8;

/** The cause chain of `error` (RFC-free, ES2022 `Error.cause`), bounded and cycle-safe. */
export function causeChain(error: unknown): { name: string; message: string }[] {
  const chain: { name: string; message: string }[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current) && chain.length < MAX_CAUSES) {
    seen.add(current);
    if (current instanceof Error) {
      chain.push({ name: current.name, message: current.message });
      current = current.cause;
    } else {
      chain.push({ name: typeof current, message: String(current) });
      break;
    }
  }
  return chain;
}

export function requestContext(state: RequestState, status: number, error: unknown): ErrorContext {
  return {
    kind: 'request',
    requestId: state.requestId,
    ...(state.traceId === undefined ? undefined : { traceId: state.traceId }),
    method: state.method,
    ...(state.route === undefined ? undefined : { route: state.route }),
    path: state.path,
    status,
    ...(state.userId === undefined ? undefined : { userId: state.userId }),
    ...(state.userAgent === undefined ? undefined : { userAgent: state.userAgent }),
    causes: causeChain(error),
  };
}

/** Keeps a tracker's failure from ever becoming the request's or the process' failure. */
export function safeTracker(tracker: ErrorTracker, onFailure: (error: unknown) => void): ErrorTracker {
  return {
    capture(error, context) {
      try {
        tracker.capture(error, context);
      } catch (failure) {
        onFailure(failure);
      }
    },
    async flush(timeoutMs) {
      if (tracker.flush === undefined) return true;
      try {
        return await tracker.flush(timeoutMs);
      } catch (failure) {
        onFailure(failure);
        return false;
      }
    },
  };
}
