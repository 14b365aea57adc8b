import { invalidOption } from '../errors/option-error.js';
import type { HstsOptions } from '../headers/security-headers.js';
import { DEFAULT_LIMITS } from '../limits/limits.js';
import { absolutePath, cidr, identifier, parseSize, port, positiveInteger, safeToken, serverName, upstreamAddress, type UpstreamAddress } from './nginx-syntax.js';

/** Options of `renderNginxConfig` (CLI: `rampart deploy nginx`). */
export interface NginxOptions {
  /** Host names served; the first is canonical. Required. */
  serverNames: readonly string[];
  /** Rampart instances: `127.0.0.1:3000`, `[::1]:3000`, `app.internal:3000` or `unix:/run/app.sock`. At least one. */
  upstreams: readonly string[];
  /** Certificate file (PEM, leaf first then intermediates). Required. */
  certificate: string;
  /** Private key file (PEM). Required. */
  certificateKey: string;
  /** Issuer chain (PEM) used to verify OCSP responses. Default none: OCSP stapling off. */
  trustedCertificate?: string;
  /** DNS resolvers nginx uses to reach the OCSP responder. Default none (nginx then warns when stapling). */
  resolvers?: readonly string[];
  /** Diffie-Hellman group file (e.g. RFC 7919 ffdhe2048) enabling the DHE suites. Default none: ECDHE only. */
  dhparam?: string;
  /** Default 443. */
  httpsPort?: number;
  /** Port answering plain HTTP with a redirect to HTTPS; `false` for none. Default 80. */
  httpPort?: number | false;
  /** Addresses to listen on. Default `['0.0.0.0', '[::]']`: every IPv4 and IPv6 interface. */
  listen?: readonly string[];
  /** Largest request body, in bytes or `512k`/`1m`. Default 1 MiB, Rampart's and Fastify's body limit. */
  bodyLimit?: number | string;
  /** Seconds to wait for an instance's response (`proxy_read_timeout`). Default 60. */
  readTimeoutSeconds?: number;
  /** Seconds to connect to an instance before trying the next one. Default 5. */
  connectTimeoutSeconds?: number;
  /**
   * Seconds nginx keeps an idle connection to an instance. Default 30. It must
   * be shorter than the app's keep-alive timeout (Rampart sets 65 s), or nginx
   * may reuse a connection the app is closing.
   */
  upstreamKeepaliveSeconds?: number;
  /**
   * Seconds a failed instance is skipped before nginx tries it again
   * (`fail_timeout`). Default 10. During a rolling restart, wait this long
   * after an instance is back before stopping the next.
   */
  failTimeoutSeconds?: number;
  /** A per-client-IP request limit at the edge (`limit_req`). Default none: Rampart's own limits apply. */
  rateLimit?: { readonly perSecond: number; readonly burst?: number } | false;
  /** HSTS sent by nginx on every HTTPS response. Default `{ maxAge: 31536000, includeSubDomains: true }`. */
  hsts?: HstsOptions | false;
  /** Load balancers/CDNs in front of nginx whose `X-Forwarded-For` nginx may believe (realip module). Default none. */
  realIpFrom?: readonly string[];
  /** Directory served at `/.well-known/acme-challenge/` over HTTP, for certbot's webroot mode. Default none. */
  acmeRoot?: string;
  /** Default true. */
  http2?: boolean;
  /** The nginx version the config is for; selects `http2` syntax. Default `1.22.0` (Debian 12). */
  nginxVersion?: string;
  /** Prefix of every upstream, zone, log format and variable name, so several sites can share one nginx. Default `rampart`. */
  name?: string;
  /** The request id header, as Rampart's `requestIdHeader`. Default `x-request-id`. */
  requestIdHeader?: string;
  /** Prefix of problem `type` URIs, as Rampart's `problemTypeBase`. Default `urn:rampart:problem:`. */
  problemTypeBase?: string;
  /**
   * Exact paths answered 404 at the edge instead of being proxied: operator
   * endpoints Prometheus and probes reach on the instances directly. Default
   * `['/metrics', '/status']`, so a mistake in the app's admin settings
   * cannot publish them.
   */
  hiddenPaths?: readonly string[];
  /** Access log file. Default `/var/log/nginx/<name>.access.log` (`<prefix>/access.log` standalone). */
  accessLog?: string;
  /**
   * A whole `nginx.conf` (events, http, pid, logs and temp paths under
   * `prefix`) instead of a site file for `conf.d/`. For containers, tests and
   * running nginx without root.
   */
  standalone?: { readonly prefix: string; readonly user?: string };
}

/** Rampart's own body limit (1 MiB, Fastify's default): bodies nginx lets through, the app accepts. */
export const DEFAULT_BODY_LIMIT = DEFAULT_LIMITS.bodyBytes;
/** Node's default `--max-http-header-size` is 16 KiB: nginx refuses (431) what Node would refuse anyway. */
export const HEADER_BUFFER = '4 16k';
/**
 * How long a handler may take before nginx answers 503 itself. Rampart's
 * request timeout (120 s) bounds receiving a request, which nginx buffers
 * first, so this is the bound a slow handler meets.
 */
export const DEFAULT_READ_TIMEOUT_SECONDS = 60;
/** A healthy instance on the same host or LAN accepts in milliseconds; fail over quickly. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;
/** Below Rampart's server keep-alive timeout (65 s), so nginx never reuses a connection the app is about to close. */
export const DEFAULT_UPSTREAM_KEEPALIVE_SECONDS = 30;
/** Slowloris defence at the edge: a client gets this long to send headers, and between body reads. */
export const CLIENT_TIMEOUT_SECONDS = 10;
/** Idle connections kept open to the instances (per worker). */
export const UPSTREAM_KEEPALIVE_CONNECTIONS = 32;
/** A failed instance is skipped for this long before nginx tries it again: short, since instances restart in seconds. */
export const DEFAULT_FAIL_TIMEOUT_SECONDS = 10;
/** One retry on another instance: recovers from a stopped instance without multiplying load on a failing fleet. */
export const NEXT_UPSTREAM_TRIES = 2;
export const DEFAULT_HIDDEN_PATHS: readonly string[] = ['/metrics', '/status'];
export const DEFAULT_HSTS: Required<HstsOptions> = { maxAge: 31_536_000, includeSubDomains: true, preload: false };
const REQUEST_ID_HEADER = /^[a-z0-9-]{1,64}$/i;
const TYPE_BASE = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~:/?#@!&()*+,=%-]*$/;

export interface ResolvedNginxOptions {
  readonly name: string;
  readonly serverNames: readonly string[];
  readonly upstreams: readonly UpstreamAddress[];
  readonly certificate: string;
  readonly certificateKey: string;
  readonly trustedCertificate: string | undefined;
  readonly resolvers: readonly string[];
  readonly dhparam: string | undefined;
  readonly httpsPort: number;
  readonly httpPort: number | false;
  readonly listen: readonly string[];
  readonly bodyLimit: number;
  readonly readTimeoutSeconds: number;
  readonly connectTimeoutSeconds: number;
  readonly upstreamKeepaliveSeconds: number;
  readonly failTimeoutSeconds: number;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | false;
  readonly hsts: Required<HstsOptions> | false;
  readonly realIpFrom: readonly string[];
  readonly acmeRoot: string | undefined;
  readonly http2: boolean;
  readonly nginxVersion: readonly [number, number, number];
  readonly requestIdHeader: string;
  readonly problemTypeBase: string;
  readonly hiddenPaths: readonly string[];
  readonly accessLog: string;
  readonly standalone: { readonly prefix: string; readonly user: string | undefined } | undefined;
}

/** Validates every option once; a bad one throws `RAMPART_INVALID_OPTION` naming it. */
export function resolveNginxOptions(options: NginxOptions): ResolvedNginxOptions {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object', options);
  const name = identifier('name', options.name ?? 'rampart');
  const serverNames = nonEmptyList('serverNames', options.serverNames).map((value, i) => serverName(`serverNames[${i}]`, value));
  const upstreams = nonEmptyList('upstreams', options.upstreams).map((value, i) => upstreamAddress(`upstreams[${i}]`, value));
  const standalone = options.standalone === undefined ? undefined : {
    prefix: absolutePath('standalone.prefix', options.standalone.prefix),
    user: options.standalone.user === undefined ? undefined : safeToken('standalone.user', options.standalone.user),
  };
  const httpPort = options.httpPort === undefined ? 80 : options.httpPort === false ? false : port('httpPort', options.httpPort);
  const httpsPort = port('httpsPort', options.httpsPort ?? 443);
  if (httpPort === httpsPort) throw invalidOption('httpPort', `a port other than httpsPort (${httpsPort})`, httpPort);
  return Object.freeze({
    name,
    serverNames,
    upstreams,
    certificate: absolutePath('certificate', options.certificate),
    certificateKey: absolutePath('certificateKey', options.certificateKey),
    trustedCertificate: optional(options.trustedCertificate, (value) => absolutePath('trustedCertificate', value)),
    resolvers: (options.resolvers ?? []).map((value, i) => safeToken(`resolvers[${i}]`, value)),
    dhparam: optional(options.dhparam, (value) => absolutePath('dhparam', value)),
    httpsPort,
    httpPort,
    listen: (options.listen ?? ['0.0.0.0', '[::]']).map((value, i) => listenAddress(`listen[${i}]`, value)),
    bodyLimit: parseSize('bodyLimit', options.bodyLimit ?? DEFAULT_BODY_LIMIT),
    readTimeoutSeconds: positiveInteger('readTimeoutSeconds', options.readTimeoutSeconds ?? DEFAULT_READ_TIMEOUT_SECONDS, 86_400),
    connectTimeoutSeconds: positiveInteger('connectTimeoutSeconds', options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS, 75),
    upstreamKeepaliveSeconds: positiveInteger('upstreamKeepaliveSeconds', options.upstreamKeepaliveSeconds ?? DEFAULT_UPSTREAM_KEEPALIVE_SECONDS, 3600),
    failTimeoutSeconds: positiveInteger('failTimeoutSeconds', options.failTimeoutSeconds ?? DEFAULT_FAIL_TIMEOUT_SECONDS, 3600),
    rateLimit: resolveRateLimit(options.rateLimit),
    hsts: resolveHsts(options.hsts),
    realIpFrom: (options.realIpFrom ?? []).map((value, i) => cidr(`realIpFrom[${i}]`, value)),
    acmeRoot: optional(options.acmeRoot, (value) => absolutePath('acmeRoot', value)),
    http2: options.http2 ?? true,
    nginxVersion: parseVersion(options.nginxVersion ?? '1.22.0'),
    requestIdHeader: headerName(options.requestIdHeader ?? 'x-request-id'),
    problemTypeBase: typeBase(options.problemTypeBase ?? 'urn:rampart:problem:'),
    hiddenPaths: (options.hiddenPaths ?? DEFAULT_HIDDEN_PATHS).map((value, i) => urlPath(`hiddenPaths[${i}]`, value)),
    accessLog: absolutePath('accessLog', options.accessLog ?? (standalone === undefined ? `/var/log/nginx/${name}.access.log` : `${standalone.prefix}/access.log`)),
    standalone,
  });
}

function nonEmptyList(option: string, value: unknown): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidOption(option, 'a non-empty list', value);
  return value;
}

function optional<T>(value: unknown, check: (value: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

function listenAddress(option: string, value: unknown): string {
  const text = safeToken(option, value);
  if (text === '*' || text === '0.0.0.0' || text === '[::]') return text;
  if (text.startsWith('[') && text.endsWith(']')) return `[${cidr(option, text.slice(1, -1))}]`;
  return cidr(option, text);
}

function resolveRateLimit(value: NginxOptions['rateLimit']): ResolvedNginxOptions['rateLimit'] {
  if (value === undefined || value === false) return false;
  if (typeof value !== 'object' || value === null) throw invalidOption('rateLimit', '{ perSecond, burst? } or false', value);
  const perSecond = positiveInteger('rateLimit.perSecond', value.perSecond, 100_000);
  return { perSecond, burst: value.burst === undefined ? perSecond * 2 : positiveInteger('rateLimit.burst', value.burst, 1_000_000) };
}

function resolveHsts(value: NginxOptions['hsts']): Required<HstsOptions> | false {
  if (value === false) return false;
  if (value === undefined) return DEFAULT_HSTS;
  if (typeof value !== 'object' || value === null) throw invalidOption('hsts', 'an object or false', value);
  const maxAge = value.maxAge ?? DEFAULT_HSTS.maxAge;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw invalidOption('hsts.maxAge', 'a whole number of seconds', maxAge);
  const resolved = { maxAge, includeSubDomains: value.includeSubDomains ?? true, preload: value.preload ?? false };
  // hstspreload.org refuses a preload request without both of these.
  if (resolved.preload && (!resolved.includeSubDomains || maxAge < 31_536_000)) {
    throw invalidOption('hsts.preload', 'includeSubDomains and maxAge ≥ 31536000 (the preload list requires both)', value);
  }
  return resolved;
}

function parseVersion(value: unknown): readonly [number, number, number] {
  const match = typeof value === 'string' ? /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(value) : null;
  if (match === null) throw invalidOption('nginxVersion', 'a version such as 1.22.1', value);
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

function urlPath(option: string, value: unknown): string {
  const path = safeToken(option, value);
  if (!/^\/[A-Za-z0-9._~!&()*+,=:@/-]*$/.test(path)) throw invalidOption(option, 'a URL path such as /metrics', value);
  return path;
}

function headerName(value: unknown): string {
  if (typeof value !== 'string' || !REQUEST_ID_HEADER.test(value)) throw invalidOption('requestIdHeader', 'a header name', value);
  return value.toLowerCase();
}

function typeBase(value: unknown): string {
  if (typeof value !== 'string' || !TYPE_BASE.test(value)) throw invalidOption('problemTypeBase', 'a URI prefix without quotes or "$"', value);
  return value;
}

/** True when `version` ≥ `minimum` (both `[major, minor, patch]`). */
export function atLeast(version: readonly [number, number, number], minimum: readonly [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    if ((version[i] as number) !== (minimum[i] as number)) return (version[i] as number) > (minimum[i] as number);
  }
  return true;
}
