import { channel } from 'node:diagnostics_channel';

/**
 * Rampart's lifecycle events, published through `node:diagnostics_channel`
 * so instrumentation (metrics, tracing, audit logs, your own) subscribes
 * without Rampart knowing about it. Publishers check `hasSubscribers` first,
 * so an event nobody listens to costs one property read.
 *
 * @example
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe('rampart:rate-limit:decision', (message) => console.log(message));
 */
export const CHANNEL_NAMES = {
  /** `{ state }` when a request enters the pipeline. */
  requestStart: 'rampart:request:start',
  /** `{ state, status, durationMs }` when its response has been sent. */
  requestFinish: 'rampart:request:finish',
  /**
   * `{ state, rule, outcome: 'allowed' | 'rejected' | 'dry-run-rejected', retryAfterSeconds?, kind? }`
   * per rule decided; `kind: 'brute-force'` marks a brute-force guard's
   * decision (the security log records its blocks as `auth.brute_force.block`).
   */
  rateLimitDecision: 'rampart:rate-limit:decision',
  /** `{ store, policy: 'open' | 'closed' | 'fallback', error }` when a rate-limit store call fails. */
  rateLimitStoreFailure: 'rampart:rate-limit:store-failure',
  /** `{ state, reason }` when CSRF protection rejects (or, in log-only mode, would reject) a request. */
  csrfRejection: 'rampart:csrf:rejection',
} as const;

export const requestStartChannel = channel(CHANNEL_NAMES.requestStart);
export const requestFinishChannel = channel(CHANNEL_NAMES.requestFinish);
export const rateLimitDecisionChannel = channel(CHANNEL_NAMES.rateLimitDecision);
export const rateLimitStoreFailureChannel = channel(CHANNEL_NAMES.rateLimitStoreFailure);
export const csrfRejectionChannel = channel(CHANNEL_NAMES.csrfRejection);
