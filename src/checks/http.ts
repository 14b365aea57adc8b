import { invalidOption } from '../errors/option-error.js';
import type { Check, CheckResult } from './check.js';

export interface HttpCheckOptions {
  /** The dependency's health URL, e.g. `http://billing:8080/health/ready`. */
  url: string | URL;
  /** Default `http:<host>` (the host only, never the path or credentials). */
  name?: string;
  /** Statuses that pass. Default any 2xx. */
  expectStatus?: number | readonly number[];
  /** Request headers (e.g. an auth token for the dependency's health endpoint). */
  headers?: Readonly<Record<string, string>>;
  /** Default true. */
  critical?: boolean;
  /** Default 2000. */
  timeoutMs?: number;
  /** Default 0. */
  cacheMs?: number;
  /** Responses slower than this (ms) warn instead of passing. Default: never. */
  warnAboveMs?: number;
}

/**
 * An HTTP dependency is up: a GET answered with an expected status within
 * the timeout. Redirects are not followed (a health endpoint that redirects
 * is misconfigured). Outputs name the status, never the URL or the body.
 */
export function httpCheck(options: HttpCheckOptions): Check {
  if (typeof options !== 'object' || options === null) throw invalidOption('httpCheck', 'an options object', options);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalidOption('httpCheck.url', 'an absolute http(s) URL', options.url);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidOption('httpCheck.url', 'an http(s) URL', url.protocol);
  const expected = options.expectStatus === undefined ? undefined : new Set([options.expectStatus].flat());
  const passes = (status: number): boolean => (expected === undefined ? status >= 200 && status < 300 : expected.has(status));
  const headers: Record<string, string> = { ...options.headers };
  // fetch() refuses URLs with credentials: send them as Basic auth (RFC 7617) instead.
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['authorization'] ??= `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const warnAboveMs = options.warnAboveMs;
  return {
    name: options.name ?? `http:${url.hostname}`,
    ...(options.critical === undefined ? {} : { critical: options.critical }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.cacheMs === undefined ? {} : { cacheMs: options.cacheMs }),
    async run(signal): Promise<CheckResult> {
      const started = performance.now();
      let response: Response;
      try {
        response = await fetch(url, { method: 'GET', headers, redirect: 'manual', signal });
      } catch {
        return { status: 'fail', output: signal.aborted ? 'timed out' : 'unreachable' };
      }
      // Drain the body so the connection is reused or closed, not leaked.
      await response.body?.cancel().catch(() => undefined);
      const elapsed = Math.round(performance.now() - started);
      if (!passes(response.status)) return { status: 'fail', observedValue: response.status, output: `unexpected status ${response.status}` };
      if (warnAboveMs !== undefined && elapsed > warnAboveMs) return { status: 'warn', observedValue: elapsed, observedUnit: 'ms', output: `slow response (${elapsed} ms)` };
      return { status: 'pass', observedValue: elapsed, observedUnit: 'ms' };
    },
  };
}
