import { compileAddressList } from '../client-ip/address-list.js';
import { invalidOption } from '../errors/option-error.js';
import { compilePathPatterns, exactPath, type PathMatcher } from './path-pattern.js';
import type { PathPattern } from './rules.js';

export interface RateLimitExemptions {
  /**
   * Paths no rule counts: probes, scrapes, webhooks and OAuth callbacks whose
   * senders you cannot slow down. Same patterns as rules (`/health*`,
   * `/webhooks/*`). Default `DEFAULT_EXEMPT_PATHS`; a list you pass replaces it.
   */
  readonly paths?: readonly PathPattern[];
  /** Client addresses and CIDRs no rule counts (your monitoring, an office NAT). Default none. */
  readonly ips?: readonly string[];
}

/**
 * Kubernetes and load-balancer probes and the Prometheus scrape: a limiter
 * that throttles them takes the service out of rotation under load, exactly
 * when it matters. Exact paths, so nothing else hides behind them.
 */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = Object.freeze(['/health', '/health/live', '/health/ready', '/ready', '/live', '/metrics']);

/** Compiled once: is this (normalized) path, or this client IP, exempt? */
export interface IsExempt {
  (path: string, clientIp: string): boolean;
  /** The client IP alone (limits spent by handlers, where the path is the handler's business). */
  readonly ip: (clientIp: string) => boolean;
}

export function compileExemptions(exempt: RateLimitExemptions | undefined): IsExempt {
  if (exempt !== undefined && (typeof exempt !== 'object' || exempt === null)) throw invalidOption('rateLimit.exempt', '{ paths?, ips? }', exempt);
  const patterns = exempt?.paths ?? DEFAULT_EXEMPT_PATHS;
  if (!Array.isArray(patterns)) throw invalidOption('rateLimit.exempt.paths', 'a list of path patterns', patterns);
  // Exact paths (the usual probes) are one Set lookup; only patterns are tested one by one.
  const exact = new Set<string>();
  const rest: unknown[] = [];
  for (const pattern of patterns) {
    const path = exactPath(pattern);
    if (path === undefined) rest.push(pattern);
    else exact.add(path);
  }
  const paths = compilePathPatterns('rateLimit.exempt.paths', rest);
  const ips = exempt?.ips ?? [];
  if (!Array.isArray(ips)) throw invalidOption('rateLimit.exempt.ips', 'a list of addresses and CIDRs', ips);
  const matches = ips.length > 0 ? compileAddressList('rateLimit.exempt.ips', ips) : undefined;
  const ipExempt = (clientIp: string): boolean => matches !== undefined && matches(clientIp);
  const isExempt = (path: string, clientIp: string): boolean => {
    if (exact.has(path)) return true;
    for (let i = 0; i < paths.length; i++) if ((paths[i] as PathMatcher).test(path)) return true;
    return ipExempt(clientIp);
  };
  return Object.assign(isExempt, { ip: ipExempt });
}
