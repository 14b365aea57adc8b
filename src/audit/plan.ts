import { MAX_REDIRECTS, type ResolvedOptions } from './options.js';
import type { PlannedProbe } from './types.js';

/**
 * Every request the run may send, decided before the first one: the banner
 * prints it, `--dry-run` stops after it, and a plan larger than the budget
 * is refused instead of being cut short half-way.
 */
export function planProbes(options: ResolvedOptions): PlannedProbe[] {
  const start = `${options.url.pathname}${options.url.search}`;
  const plan: PlannedProbe[] = [
    { name: 'start', method: 'GET', path: start, maxRequests: 1 + MAX_REDIRECTS, why: 'headers, cookies and the Observatory score (same-host redirects followed)' },
  ];
  if (options.url.protocol === 'https:') {
    plan.push(
      options.httpOrigin === undefined
        ? { name: 'http-redirect', method: 'GET', path: '(skipped: no plain-HTTP port known; pass --http-port)', maxRequests: 0, why: 'HTTP → HTTPS redirection' }
        : { name: 'http-redirect', method: 'GET', path: new URL(start, options.httpOrigin).href, maxRequests: 1 + MAX_REDIRECTS, why: 'HTTP → HTTPS redirection' },
    );
  }
  for (const page of options.pages) plan.push({ name: 'page', method: 'GET', path: page, maxRequests: 1, why: 'cookies and leaks on another page' });
  plan.push(
    { name: 'cors', method: 'GET', path: start, maxRequests: 1, why: 'CORS: an unlisted Origin' },
    { name: 'cors-null', method: 'GET', path: start, maxRequests: 1, why: 'CORS: Origin null' },
    { name: 'cors-preflight', method: 'OPTIONS', path: start, maxRequests: 1, why: 'CORS preflight from an unlisted Origin' },
    { name: 'not-found', method: 'GET', path: '/rampart-audit-<random>', maxRequests: 1, why: 'error page of a random 404 path; request id echo' },
    { name: 'malformed-json', method: 'POST', path: options.jsonPath, maxRequests: 1, why: 'error page of a truncated JSON body' },
    { name: 'oversized-body', method: 'POST', path: options.jsonPath, maxRequests: 1, why: `error page of a ${formatBytes(options.oversizedBytes)} JSON body` },
    { name: 'unsupported-method', method: 'PROPFIND', path: start, maxRequests: 1, why: 'error page of a method the resource does not support' },
    { name: 'trace', method: 'TRACE', path: start, maxRequests: 1, why: 'whether TRACE echoes the request' },
    { name: 'liveness', method: 'GET', path: options.livenessPaths.join(' | '), maxRequests: options.livenessPaths.length, why: 'liveness endpoint (first that answers)' },
    { name: 'readiness', method: 'GET', path: options.readinessPaths.join(' | '), maxRequests: options.readinessPaths.length, why: 'readiness endpoint (first that answers)' },
  );
  if (options.metricsPath !== false) plan.push({ name: 'metrics', method: 'GET', path: options.metricsPath, maxRequests: 1, why: 'whether metrics are public' });
  for (const path of options.csrfPaths) {
    plan.push({ name: 'csrf', method: options.csrfMethod, path, maxRequests: 1, why: 'cross-site form post (Origin of another site, Sec-Fetch-Site: cross-site)' });
  }
  if (options.rateLimit !== undefined) {
    const { method, path, requests } = options.rateLimit;
    plan.push({ name: 'rate-limit', method, path, maxRequests: requests, why: `up to ${requests} requests, stopping at the first 429` });
  }
  return plan;
}

export function plannedRequests(plan: readonly PlannedProbe[]): number {
  return plan.reduce((sum, probe) => sum + probe.maxRequests, 0);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
