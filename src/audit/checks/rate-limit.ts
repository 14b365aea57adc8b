import { finding } from '../catalog.js';
import type { Observations } from '../probes.js';
import type { Finding } from '../types.js';
import { evidence } from './evidence.js';

/** IETF RateLimit fields: `RateLimit` + `RateLimit-Policy` (draft 07+) or `RateLimit-Limit/-Remaining/-Reset` (up to draft 06). */
const IETF_HEADERS = ['ratelimit', 'ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];
const LEGACY_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  const text = value.trim();
  return /^\d+$/.test(text) || !Number.isNaN(Date.parse(text));
}

export function rateLimitFinding(observations: Observations): Finding {
  const run = observations.rateLimit;
  if (run === undefined) {
    return finding('rate-limit', { outcome: 'skip', result: 'rate-limit-not-probed', summary: 'Opt-in: pass --rate-limit <path> to send up to 60 requests (cap 1000) and expect a 429.' });
  }
  const statuses = Object.entries(run.statuses)
    .map(([status, count]) => `${count}×${status}`)
    .join(', ');
  const limited = run.limited;
  if (limited === undefined) {
    if (run.stoppedBy !== undefined) {
      return finding('rate-limit', {
        outcome: 'warn',
        result: 'rate-limit-inconclusive',
        summary: `Stopped after ${run.sent} requests to ${run.method} ${run.path} (${run.stoppedBy}) without a 429; seen ${statuses || 'nothing'}.`,
        ...(run.last === undefined ? {} : { evidence: [evidence(run.last)] }),
      });
    }
    return finding('rate-limit', {
      outcome: 'fail',
      result: 'rate-limit-not-enforced',
      summary: `${run.sent} requests to ${run.method} ${run.path} and no 429 (${statuses}).`,
      ...(run.last === undefined ? {} : { evidence: [evidence(run.last, IETF_HEADERS.map((name) => run.last?.headers.line(name)).filter(Boolean).join('\n') || 'no RateLimit headers')] }),
    });
  }
  const headerLines = [...IETF_HEADERS, ...LEGACY_HEADERS, 'retry-after'].map((name) => limited.headers.line(name)).filter(Boolean).join('\n');
  const proof = [evidence(limited, headerLines || 'no Retry-After or RateLimit headers')];
  const after = `429 after ${run.sent} of at most ${run.limit} requests`;
  if (!validRetryAfter(limited.headers.get('retry-after'))) {
    return finding('rate-limit', {
      outcome: 'fail',
      result: 'rate-limit-without-retry-after',
      summary: `${after}, but without a valid Retry-After: clients cannot know when to come back and retry at once.`,
      evidence: proof,
      fix: 'Send `Retry-After: <seconds>` with every 429 (RFC 6585 §4).',
    });
  }
  const ietf = IETF_HEADERS.some((name) => limited.headers.has(name));
  if (!ietf) {
    const legacy = LEGACY_HEADERS.some((name) => limited.headers.has(name));
    return finding('rate-limit', {
      outcome: 'warn',
      result: legacy ? 'rate-limit-legacy-headers' : 'rate-limit-without-headers',
      summary: `${after} with Retry-After, but ${legacy ? 'only the legacy X-RateLimit-* headers' : 'no RateLimit headers'}: clients cannot pace themselves before hitting the limit.`,
      evidence: proof,
      fix: 'Send the IETF `RateLimit` and `RateLimit-Policy` fields on limited responses (Rampart does).',
    });
  }
  return finding('rate-limit', { outcome: 'pass', result: 'rate-limit-enforced', summary: `${after}, with Retry-After and RateLimit headers.`, evidence: proof });
}
