import { invalidOption } from '../errors/option-error.js';

/** HSTS settings (RFC 6797). Sent only on HTTPS requests: browsers ignore it over HTTP. */
export interface HstsOptions {
  /** Seconds. Default 31536000 (one year, the minimum preload lists and the HTTP Observatory accept). */
  maxAge?: number;
  /** Default true. */
  includeSubDomains?: boolean;
  /** Default false: preloading is hard to undo, so it must be asked for. */
  preload?: boolean;
}

export interface SecurityHeadersOptions {
  /**
   * CSP for non-HTML responses. Default `API_CSP`: an API response should never
   * load or run anything, be framed, or submit forms.
   */
  apiCsp?: string | false;
  /**
   * CSP for HTML responses. `{nonce}` is replaced by the request's nonce when
   * the handler used one; the policy with the placeholder removed applies
   * otherwise. Default `DOCUMENT_CSP`.
   */
  documentCsp?: string | false;
  /** Default `{ maxAge: 31536000, includeSubDomains: true }`; false to leave HSTS to a proxy. */
  hsts?: HstsOptions | false;
  /**
   * Extra headers, or `false` to drop one of the defaults
   * (`{ 'cross-origin-embedder-policy': 'require-corp', 'x-frame-options': false }`).
   */
  extra?: Readonly<Record<string, string | false>>;
}

/** `default-src 'none'`: an API response renders nothing, so it may load nothing (OWASP REST Security). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; form-action 'none'";

/**
 * A strict, nonce-based policy (web.dev "strict CSP"): scripts run only with
 * the request's nonce, and 'strict-dynamic' lets those load their own
 * dependencies; no 'unsafe-inline', no scheme wildcards.
 */
export const DOCUMENT_CSP =
  "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; " +
  "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Features an API or admin app never needs; each `()` denies it to every origin. */
export const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), ' +
  'midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()';

/**
 * helmet 8's defaults with OWASP Secure Headers' changes: `X-Frame-Options: DENY`
 * (matching `frame-ancestors 'none'`), a deny-all `Permissions-Policy`, and
 * `X-XSS-Protection: 0` (the legacy auditor caused leaks; OWASP says disable it).
 */
const BASE_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'permissions-policy': PERMISSIONS_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const NONCE = '{nonce}';

/**
 * Every header set a response can need, built once. Each list is flat
 * (`[name, value, name, value, …]`) so setting them allocates nothing.
 */
export interface SecurityHeaderSets {
  /** Non-HTML responses, by whether the request came over HTTPS. */
  readonly api: { readonly http: readonly string[]; readonly https: readonly string[] };
  /** HTML responses without their CSP, which depends on the nonce. */
  readonly document: { readonly http: readonly string[]; readonly https: readonly string[] };
  /** The document CSP for a request that used no nonce, by scheme; undefined when disabled. */
  readonly documentCsp: { readonly http: string; readonly https: string } | undefined;
  /** The API policy, set at send time on non-HTML responses; undefined when disabled. */
  readonly apiCsp: string | undefined;
  /**
   * Every header that does not depend on the response (all but the CSP), as
   * one object per scheme, for adapters that set headers before the handler
   * runs: the handler's own headers then replace them with no checks.
   */
  readonly preset: { readonly http: Readonly<Record<string, string>>; readonly https: Readonly<Record<string, string>> };
  /** Builds the document CSP around a nonce; the parts are split once here. */
  documentCspWithNonce(nonce: string, secure: boolean): string;
}

export function compileSecurityHeaders(options: SecurityHeadersOptions = {}): SecurityHeaderSets {
  const hsts = hstsValue(options.hsts);
  const base = { ...BASE_HEADERS };
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    const key = name.toLowerCase();
    if (value === false) delete base[key];
    else if (typeof value === 'string') base[key] = value;
    else throw invalidOption(`headers.extra.${name}`, 'a string or false', value);
  }
  const apiCsp = cspOption('headers.apiCsp', options.apiCsp, API_CSP);
  const documentCsp = cspOption('headers.documentCsp', options.documentCsp, DOCUMENT_CSP);

  const flat = (extra: Record<string, string | undefined>): readonly string[] =>
    Object.freeze(Object.entries({ ...base, ...extra }).flatMap(([name, value]) => (value === undefined ? [] : [name, value])));
  const https = { 'strict-transport-security': hsts };

  const nonceParts = documentCsp === undefined ? [] : documentCsp.split(NONCE);
  const withoutNonce = documentCsp === undefined ? undefined : withoutNoncePolicy(documentCsp);
  return Object.freeze({
    api: Object.freeze({ http: flat({ 'content-security-policy': apiCsp }), https: flat({ 'content-security-policy': apiCsp, ...https }) }),
    document: Object.freeze({ http: flat({}), https: flat(https) }),
    apiCsp,
    preset: Object.freeze({ http: Object.freeze({ ...base }), https: Object.freeze(hsts === undefined ? { ...base } : { ...base, 'strict-transport-security': hsts }) }),
    documentCsp: withoutNonce === undefined ? undefined : Object.freeze({ http: withoutNonce, https: `${withoutNonce}; upgrade-insecure-requests` }),
    documentCspWithNonce(nonce: string, secure: boolean): string {
      const policy = nonceParts.join(nonce);
      return secure ? `${policy}; upgrade-insecure-requests` : policy;
    },
  });
}

/** Without a nonce, inline scripts and styles stay blocked and same-origin files are allowed. */
function withoutNoncePolicy(policy: string): string {
  return policy
    .split(';')
    .map((directive) => {
      const trimmed = directive.trim();
      if (!trimmed.includes(NONCE)) return trimmed;
      const [name] = trimmed.split(/\s+/);
      return `${name} 'self'`;
    })
    .join('; ');
}

function cspOption(option: string, value: string | false | undefined, fallback: string): string | undefined {
  if (value === undefined) return fallback;
  if (value === false) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw invalidOption(option, 'a policy string or false', value);
  return value;
}

function hstsValue(option: HstsOptions | false | undefined): string | undefined {
  if (option === false) return undefined;
  const maxAge = option?.maxAge ?? 31_536_000;
  if (!Number.isInteger(maxAge) || maxAge < 0) throw invalidOption('headers.hsts.maxAge', 'a whole number of seconds', maxAge);
  let value = `max-age=${maxAge}`;
  if (option?.includeSubDomains ?? true) value += '; includeSubDomains';
  if (option?.preload === true) value += '; preload';
  return value;
}
