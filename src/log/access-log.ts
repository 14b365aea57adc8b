import type { Logger } from 'pino';
import type { RequestState } from '../pipeline/request-state.js';
import type { LogOptions } from './logger.js';

/** Writes the request's one access-log line. */
export type AccessLog = (state: RequestState, status: number) => void;

/** The `route` of requests no route matched: one value, so logs and metrics keep a bounded set of routes. */
export const UNMATCHED_ROUTE = 'UNMATCHED';

export function createAccessLog(access: Logger, options: LogOptions, defaultSkipPaths: readonly string[]): AccessLog {
  const skip = new Set(options.skipPaths ?? defaultSkipPaths);
  const clientErrorLevel = options.clientErrorLevel ?? 'warn';
  const slowMs = options.slowMs ?? 1000;

  return function writeAccessLine(state, status) {
    if (skip.has(state.path)) return;
    const durationMs = Math.round((performance.now() - state.startedAt) * 100) / 100;
    const level = status >= 500 ? 'error' : status >= 400 ? clientErrorLevel : durationMs > slowMs ? 'warn' : 'info';
    if (!access.isLevelEnabled(level)) return;
    // Route templates, never raw paths, go in `route`: log pipelines index
    // that field, and raw paths would explode its cardinality.
    access[level](
      {
        reqId: state.requestId,
        traceId: state.traceId,
        spanId: state.spanId,
        method: state.method,
        route: state.route ?? UNMATCHED_ROUTE,
        path: state.path,
        status,
        durationMs,
        ip: state.clientIp,
        userAgent: state.userAgent,
        userId: state.userId,
        code: state.problemCode,
        err: state.error,
      },
      'request completed',
    );
  };
}
