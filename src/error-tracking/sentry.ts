import { invalidOption } from '../errors/option-error.js';
import type { ErrorTracker } from './tracker.js';

/** The part of `@sentry/node` Rampart uses; pass the module itself (`import * as Sentry from '@sentry/node'`). */
export interface SentryLike {
  withScope(callback: (scope: SentryScopeLike) => void): unknown;
  captureException(exception: unknown): unknown;
  flush(timeout?: number): PromiseLike<boolean>;
}

export interface SentryScopeLike {
  setTag(key: string, value: string): unknown;
  setUser(user: { id: string } | null): unknown;
  setContext(name: string, context: Record<string, unknown> | null): unknown;
  setLevel(level: 'fatal' | 'error'): unknown;
}

/**
 * Reports to Sentry through the app's own `@sentry/node` (an optional peer
 * dependency: Rampart never imports it, so apps without Sentry never load
 * it). Initialize Sentry as its docs say, then hand the module over. Each
 * event is tagged with the request id, so a Sentry issue leads to the log
 * line and back.
 *
 * @example
 * import * as Sentry from '@sentry/node';
 * Sentry.init({ dsn: process.env.SENTRY_DSN, sendDefaultPii: false });
 * const rampart = createRampart({ errorTracker: sentryErrorTracker(Sentry) });
 */
export function sentryErrorTracker(sentry: SentryLike): ErrorTracker {
  if (typeof sentry !== 'object' || sentry === null || typeof sentry.withScope !== 'function' || typeof sentry.captureException !== 'function') {
    throw invalidOption('sentryErrorTracker', 'the @sentry/node module', sentry);
  }
  return {
    capture(error, context) {
      sentry.withScope((scope) => {
        scope.setLevel(context.kind === 'request' ? 'error' : 'fatal');
        scope.setTag('rampart.kind', context.kind);
        if (context.requestId !== undefined) scope.setTag('request_id', context.requestId);
        if (context.traceId !== undefined) scope.setTag('trace_id', context.traceId);
        if (context.route !== undefined) scope.setTag('http.route', context.route);
        if (context.status !== undefined) scope.setTag('http.status_code', String(context.status));
        if (context.userId !== undefined) scope.setUser({ id: context.userId });
        const { method, path, route, userAgent } = context;
        if (method !== undefined) scope.setContext('request', { method, path, route, userAgent });
        // Strings, not objects: Sentry normalizes contexts to three levels deep.
        scope.setContext('causes', { chain: context.causes.map((cause) => `${cause.name}: ${cause.message}`) });
        sentry.captureException(error);
      });
    },
    async flush(timeoutMs) {
      return sentry.flush(timeoutMs);
    },
  };
}
