import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter } from 'prom-client';
import { CHANNEL_NAMES } from '../diagnostics/channels.js';
import type { RampartMetrics } from './metrics.js';

/** The `name` of a rule or store, whether the publisher sent a string or an object that has one. */
function nameOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string') return (value as { name: string }).name;
  return 'unknown';
}

/**
 * Counts rate-limit decisions, store failures and CSRF rejections from the
 * diagnostics channels their features publish on, so those features know
 * nothing about Prometheus. Channels are process-wide, so only the events
 * of this engine (`owner`: its requests' `RequestState.owner`, its store's
 * failures) are counted: two engines in one process do not count each
 * other's. Returns the function that unsubscribes.
 */
export function countChannelEvents(metrics: RampartMetrics, owner: object): () => void {
  const registers = [metrics.registry];
  const decisions = new Counter({ name: 'rampart_rate_limit_decisions_total', help: 'Rate-limit decisions by rule and outcome.', labelNames: ['rule', 'outcome'], registers });
  const decisionsGuard = metrics.guard('rampart_rate_limit_decisions_total', ['rule', 'outcome']);
  const failures = new Counter({
    name: 'rampart_rate_limit_store_failures_total',
    help: 'Rate-limit store calls that failed, by store and the failure policy applied.',
    labelNames: ['store', 'policy'],
    registers,
  });
  const failuresGuard = metrics.guard('rampart_rate_limit_store_failures_total', ['store', 'policy']);
  const csrf = new Counter({ name: 'rampart_csrf_rejections_total', help: 'Requests CSRF protection rejected, by reason.', labelNames: ['reason'], registers });
  const csrfGuard = metrics.guard('rampart_csrf_rejections_total', ['reason']);

  const ours = (message: unknown): boolean => (message as { state?: { owner?: unknown } }).state?.owner === owner;
  const onDecision = (message: unknown): void => {
    if (!ours(message)) return;
    const { rule, outcome } = message as { rule?: unknown; outcome?: unknown };
    decisions.inc(decisionsGuard.labels({ rule: nameOf(rule), outcome: String(outcome) }));
  };
  const onFailure = (message: unknown): void => {
    const { store, policy, owner: from } = message as { store?: unknown; policy?: unknown; owner?: unknown };
    if (from !== owner) return;
    failures.inc(failuresGuard.labels({ store: nameOf(store), policy: String(policy) }));
  };
  const onCsrf = (message: unknown): void => {
    if (!ours(message)) return;
    csrf.inc(csrfGuard.labels({ reason: String((message as { reason?: unknown }).reason) }));
  };
  subscribe(CHANNEL_NAMES.rateLimitDecision, onDecision);
  subscribe(CHANNEL_NAMES.rateLimitStoreFailure, onFailure);
  subscribe(CHANNEL_NAMES.csrfRejection, onCsrf);
  return () => {
    unsubscribe(CHANNEL_NAMES.rateLimitDecision, onDecision);
    unsubscribe(CHANNEL_NAMES.rateLimitStoreFailure, onFailure);
    unsubscribe(CHANNEL_NAMES.csrfRejection, onCsrf);
  };
}
