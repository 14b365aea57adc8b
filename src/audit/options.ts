import { invalidOption } from '../errors/option-error.js';
import { isCheckId } from './catalog.js';
import type { RequestEvent } from './http/client.js';
import { isGrade } from './observatory/rubric.js';
import type { Grade, RuleAction } from './types.js';

/** Options of one audit run; the CLI and the configuration file map onto these. */
export interface AuditOptions {
  /** The page to grade, `http://` or `https://`. Every request goes to this host. */
  url: string;
  /** More paths to visit for cookies and leaks. Default none. */
  pages?: readonly string[];
  /** Where the malformed-JSON and oversized-body probes POST. Default: the start path. */
  jsonPath?: string;
  /** State-changing paths the CSRF probe posts a cross-site form to. Default none: the check is skipped. */
  csrfPaths?: readonly string[];
  /** Method of the CSRF probe. Default `POST`. */
  csrfMethod?: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Opt-in rate-limit probe: at most `requests` (default 60, cap 1000) requests to `path`. */
  rateLimit?: { path: string; method?: 'GET' | 'POST'; requests?: number; body?: string };
  /** Liveness paths tried in order until one answers. Default `DEFAULT_LIVENESS_PATHS`. */
  livenessPaths?: readonly string[];
  /** Readiness paths tried in order until one answers. Default `DEFAULT_READINESS_PATHS`. */
  readinessPaths?: readonly string[];
  /** Default `/metrics`; false skips the check. */
  metricsPath?: string | false;
  /**
   * Port of the plain-HTTP listener the redirection probe asks when the target
   * is `https://`. Default 80 when the target uses port 443; otherwise the
   * probe needs this option and reports "not reachable over HTTP" without it.
   */
  httpPort?: number;
  /** Budget for the whole run. Default 200, at most 2000. */
  maxRequests?: number;
  /** Per-request timeout. Default 5000 ms. */
  timeoutMs?: number;
  /** Deadline of the whole run. Default 120000 ms. */
  deadlineMs?: number;
  /** Size of the oversized-body probe. Default 2 MiB (above Fastify's and Express's default limits). */
  oversizedBytes?: number;
  /** Extra CA certificates (PEM) to trust, e.g. a staging CA. */
  ca?: string | Buffer;
  /** Accept any certificate; HSTS and redirection then score as "invalid certificate". Default false. */
  insecure?: boolean;
  /** Sent with every request (a session cookie, an Authorization header). */
  headers?: Readonly<Record<string, string>>;
  /** Per-check (or per-ZAP-rule id) override: fail, warn or ignore. */
  rules?: Readonly<Record<string, RuleAction>>;
  /** Fail the run when the grade is below this. */
  failUnder?: Grade;
  /** Called after every request, for progress output. */
  onRequest?: (event: RequestEvent) => void;
}

export const DEFAULT_MAX_REQUESTS = 200;
/** A budget no flag can raise: the audit is a probe, never a load test. */
export const MAX_REQUESTS_CAP = 2000;
/** Issue 9: "sends at most N requests (default 60, hard cap 1000)". */
export const DEFAULT_RATE_LIMIT_REQUESTS = 60;
export const RATE_LIMIT_REQUESTS_CAP = 1000;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_DEADLINE_MS = 120_000;
export const DEFAULT_OVERSIZED_BYTES = 2 * 1024 * 1024;
/** No probe reads more than this of a body: enough for any error page, not a download. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Same-host redirects followed from the start URL and on the HTTP→HTTPS probe. */
export const MAX_REDIRECTS = 5;
/** The paths operators usually give probes (Kubernetes, Rampart, Spring, Terminus). */
export const DEFAULT_LIVENESS_PATHS: readonly string[] = ['/health/live', '/health', '/livez', '/healthz'];
export const DEFAULT_READINESS_PATHS: readonly string[] = ['/health/ready', '/ready', '/readyz'];

export type ResolvedOptions = Required<Omit<AuditOptions, 'ca' | 'onRequest' | 'rateLimit' | 'failUnder' | 'httpPort' | 'url' | 'jsonPath'>> & {
  readonly url: URL;
  readonly jsonPath: string;
  readonly httpOrigin: URL | undefined;
  readonly rateLimit: { readonly path: string; readonly method: 'GET' | 'POST'; readonly requests: number; readonly body: string | undefined } | undefined;
  readonly ca: string | Buffer | undefined;
  readonly failUnder: Grade | undefined;
  readonly onRequest: AuditOptions['onRequest'];
};

const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Validates every option once and fills in the defaults; a bad one throws `RAMPART_INVALID_OPTION`. */
export function resolveOptions(options: AuditOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('audit options', 'an object', options);
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalidOption('url', 'an absolute http:// or https:// URL', options.url);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidOption('url', 'an http:// or https:// URL', options.url);
  url.hash = '';

  const rateLimit = options.rateLimit;
  if (rateLimit !== undefined) {
    path('rateLimit.path', rateLimit.path);
    if (rateLimit.method !== undefined && rateLimit.method !== 'GET' && rateLimit.method !== 'POST') throw invalidOption('rateLimit.method', 'GET or POST', rateLimit.method);
    if (rateLimit.requests !== undefined) integer('rateLimit.requests', rateLimit.requests, 1, RATE_LIMIT_REQUESTS_CAP);
  }
  const httpPort = options.httpPort === undefined ? undefined : integer('httpPort', options.httpPort, 1, 65_535);
  let httpOrigin: URL | undefined;
  if (url.protocol === 'https:') {
    const port = httpPort ?? (url.port === '' ? 80 : undefined);
    if (port !== undefined) httpOrigin = new URL(`http://${url.host.replace(/:\d+$/, '')}:${port}`);
  }
  const rules: Record<string, RuleAction> = {};
  for (const [key, action] of Object.entries(options.rules ?? {})) {
    if (!isCheckId(key) && !/^\d+$/.test(key)) throw invalidOption(`rules.${key}`, 'a check id or a ZAP rule id', key);
    if (action !== 'fail' && action !== 'warn' && action !== 'ignore') throw invalidOption(`rules.${key}`, '"fail", "warn" or "ignore"', action);
    rules[key] = action;
  }
  if (options.failUnder !== undefined && !isGrade(options.failUnder)) throw invalidOption('failUnder', 'a grade from A+ to F', options.failUnder);
  if (options.csrfMethod !== undefined && !METHODS.has(options.csrfMethod)) throw invalidOption('csrfMethod', 'POST, PUT, PATCH or DELETE', options.csrfMethod);
  const headers = options.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name) || typeof value !== 'string' || /[\r\n]/.test(value)) throw invalidOption(`headers.${name}`, 'a header name and a one-line value', value);
  }
  const metricsPath = options.metricsPath === false ? false : path('metricsPath', options.metricsPath ?? '/metrics');
  return {
    url,
    pages: paths('pages', options.pages ?? []),
    jsonPath: path('jsonPath', options.jsonPath ?? `${url.pathname}${url.search}`),
    csrfPaths: paths('csrfPaths', options.csrfPaths ?? []),
    csrfMethod: options.csrfMethod ?? 'POST',
    rateLimit:
      rateLimit === undefined
        ? undefined
        : { path: rateLimit.path, method: rateLimit.method ?? 'GET', requests: rateLimit.requests ?? DEFAULT_RATE_LIMIT_REQUESTS, body: rateLimit.body },
    livenessPaths: paths('livenessPaths', options.livenessPaths ?? DEFAULT_LIVENESS_PATHS),
    readinessPaths: paths('readinessPaths', options.readinessPaths ?? DEFAULT_READINESS_PATHS),
    metricsPath,
    httpOrigin,
    maxRequests: integer('maxRequests', options.maxRequests ?? DEFAULT_MAX_REQUESTS, 1, MAX_REQUESTS_CAP),
    timeoutMs: integer('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 100, 60_000),
    deadlineMs: integer('deadlineMs', options.deadlineMs ?? DEFAULT_DEADLINE_MS, 1000, 3_600_000),
    oversizedBytes: integer('oversizedBytes', options.oversizedBytes ?? DEFAULT_OVERSIZED_BYTES, 1024, 64 * 1024 * 1024),
    ca: options.ca,
    insecure: options.insecure === true,
    headers,
    rules,
    failUnder: options.failUnder,
    onRequest: options.onRequest,
  };
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalidOption(option, `a whole number from ${min} to ${max}`, value);
  return value;
}

function path(option: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || /[\s]/.test(value)) throw invalidOption(option, 'a path starting with "/"', value);
  return value;
}

function paths(option: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw invalidOption(option, 'a list of paths', value);
  return value.map((item, index) => path(`${option}[${index}]`, item));
}
