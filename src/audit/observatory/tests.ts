import { isAntiCsrf, isSessionLike, type SeenCookie } from '../http/cookies.js';
import type { HeaderMap } from '../http/header-map.js';
import { startTags } from '../http/html.js';
import type { CspVerdict } from './csp.js';
import type { ObservatoryResult } from './rubric.js';

/**
 * The Observatory's header tests, one function each, over what the audit
 * saw. Each returns the rubric's result name; `score.ts` turns results into
 * points.
 */

/** RFC 6797 §6.1.1; six months is the rubric's threshold. */
export const HSTS_MIN_MAX_AGE = 15_768_000;

export interface HstsPolicy {
  readonly maxAge: number;
  readonly includeSubDomains: boolean;
  readonly preload: boolean;
}

/** Parses `Strict-Transport-Security` (RFC 6797 §6.1); undefined when invalid. */
export function parseHsts(value: string): HstsPolicy | undefined {
  const seen = new Set<string>();
  let maxAge: number | undefined;
  for (const raw of value.split(';')) {
    const directive = raw.trim();
    if (directive === '') continue;
    const [rawName = '', ...rest] = directive.split('=');
    const name = rawName.trim().toLowerCase();
    // §6.1: each directive at most once.
    if (seen.has(name)) return undefined;
    seen.add(name);
    if (name === 'max-age') {
      const text = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
      if (!/^\d+$/.test(text)) return undefined;
      maxAge = Number(text);
    }
  }
  return maxAge === undefined ? undefined : { maxAge, includeSubDomains: seen.has('includesubdomains'), preload: seen.has('preload') };
}

export function hstsTest(headers: HeaderMap, secure: boolean, certificateValid: boolean): ObservatoryResult<'strict-transport-security'> {
  if (!secure) return 'hsts-not-implemented-no-https';
  if (!certificateValid) return 'hsts-invalid-cert';
  // §8.1: a user agent processes only the first Strict-Transport-Security field.
  const first = headers.all('strict-transport-security')[0];
  if (first === undefined) return 'hsts-not-implemented';
  const policy = parseHsts(first);
  if (policy === undefined) return 'hsts-header-invalid';
  return policy.maxAge >= HSTS_MIN_MAX_AGE ? 'hsts-implemented-max-age-at-least-six-months' : 'hsts-implemented-max-age-less-than-six-months';
}

/** HSTS a browser would apply to this host's cookies: valid and not expired at once. */
export function hstsProtects(headers: HeaderMap, secure: boolean): boolean {
  const first = headers.all('strict-transport-security')[0];
  const policy = first === undefined ? undefined : parseHsts(first);
  return secure && policy !== undefined && policy.maxAge > 0;
}

export function xFrameOptionsTest(headers: HeaderMap, csp: CspVerdict): ObservatoryResult<'x-frame-options'> {
  if (csp.frameAncestorsRestricted) return 'x-frame-options-implemented-via-csp';
  const lines = headers.all('x-frame-options');
  if (lines.length === 0) return 'x-frame-options-not-implemented';
  // RFC 7034 §2.1: one value; several lines or a list cannot be recognized.
  if (lines.length > 1 || (lines[0] as string).includes(',')) return 'x-frame-options-header-invalid';
  const value = (lines[0] as string).trim().toUpperCase();
  if (value === 'DENY' || value === 'SAMEORIGIN') return 'x-frame-options-sameorigin-or-deny';
  if (value.startsWith('ALLOW-FROM ')) return 'x-frame-options-allow-from-origin';
  return 'x-frame-options-header-invalid';
}

export function xContentTypeOptionsTest(headers: HeaderMap): ObservatoryResult<'x-content-type-options'> {
  const value = headers.get('x-content-type-options');
  if (value === undefined) return 'x-content-type-options-not-implemented';
  return value.trim().toLowerCase() === 'nosniff' ? 'x-content-type-options-nosniff' : 'x-content-type-options-header-invalid';
}

const PRIVATE_REFERRER = new Set(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']);
const UNSAFE_REFERRER = new Set(['origin', 'origin-when-cross-origin', 'unsafe-url', 'no-referrer-when-downgrade']);

export function referrerPolicyTest(headers: HeaderMap): ObservatoryResult<'referrer-policy'> {
  const value = headers.get('referrer-policy');
  if (value === undefined) return 'referrer-policy-not-implemented';
  // Referrer Policy §8.1: the last token the browser recognizes is the policy.
  const known = value
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => PRIVATE_REFERRER.has(token) || UNSAFE_REFERRER.has(token));
  const policy = known.at(-1);
  if (policy === undefined) return 'referrer-policy-header-invalid';
  return PRIVATE_REFERRER.has(policy) ? 'referrer-policy-private' : 'referrer-policy-unsafe';
}

export function corpTest(headers: HeaderMap): ObservatoryResult<'cross-origin-resource-policy'> {
  const value = headers.get('cross-origin-resource-policy');
  if (value === undefined) return 'corp-not-implemented';
  switch (value.trim().toLowerCase()) {
    case 'same-origin':
      return 'corp-implemented-with-same-origin';
    case 'same-site':
      return 'corp-implemented-with-same-site';
    case 'cross-origin':
      return 'corp-implemented-with-cross-origin';
    default:
      return 'corp-header-invalid';
  }
}

/**
 * The cookies test: the worst thing any cookie does decides the result.
 * A cookie set over HTTP counts as set without `Secure` (rubric: "or set via
 * HTTP"); HSTS softens a missing `Secure`, as browsers then never send the
 * cookie over HTTP.
 */
export function cookiesTest(cookies: readonly SeenCookie[], hsts: boolean): ObservatoryResult<'cookies'> {
  if (cookies.length === 0) return 'cookies-not-found';
  const results: ObservatoryResult<'cookies'>[] = [];
  for (const cookie of cookies) {
    const secure = cookie.secure && cookie.overHttps;
    const session = isSessionLike(cookie.name);
    if (!secure) {
      if (session) results.push(hsts ? 'cookies-session-without-secure-flag-but-protected-by-hsts' : 'cookies-session-without-secure-flag');
      else results.push(hsts ? 'cookies-without-secure-flag-but-protected-by-hsts' : 'cookies-without-secure-flag');
    }
    if (session && !cookie.httpOnly) results.push('cookies-session-without-httponly-flag');
    if (cookie.sameSite !== undefined && cookie.sameSite !== 'strict' && cookie.sameSite !== 'lax') results.push('cookies-samesite-flag-invalid');
    if (cookie.sameSite === undefined && isAntiCsrf(cookie.name)) results.push('cookies-anticsrf-without-samesite-flag');
  }
  if (results.length > 0) return worst('cookies', results);
  return cookies.every((cookie) => cookie.sameSite === 'strict' || cookie.sameSite === 'lax')
    ? 'cookies-secure-with-httponly-sessions-and-samesite'
    : 'cookies-secure-with-httponly-sessions';
}

const COOKIE_PENALTY: Readonly<Record<string, number>> = {
  'cookies-session-without-secure-flag': -40,
  'cookies-session-without-httponly-flag': -30,
  'cookies-without-secure-flag': -20,
  'cookies-samesite-flag-invalid': -20,
  'cookies-anticsrf-without-samesite-flag': -20,
  'cookies-session-without-secure-flag-but-protected-by-hsts': -10,
  'cookies-without-secure-flag-but-protected-by-hsts': -5,
};

function worst<T extends string>(_test: 'cookies', results: readonly T[]): T {
  return [...results].sort((a, b) => (COOKIE_PENALTY[a] ?? 0) - (COOKIE_PENALTY[b] ?? 0))[0] as T;
}

export interface CorsObservation {
  /** The foreign origin the audit sent. */
  readonly origin: string;
  /** `Access-Control-Allow-Origin` / `-Credentials` from each CORS probe. */
  readonly answers: readonly { readonly allowOrigin: string | undefined; readonly allowCredentials: boolean }[];
}

export function corsTest(cors: CorsObservation): ObservatoryResult<'cross-origin-resource-sharing'> {
  let result: ObservatoryResult<'cross-origin-resource-sharing'> = 'cross-origin-resource-sharing-not-implemented';
  for (const { allowOrigin, allowCredentials } of cors.answers) {
    if (allowOrigin === undefined) continue;
    const value = allowOrigin.trim();
    const reflected = value === cors.origin || value === 'null';
    if (reflected && allowCredentials) return 'cross-origin-resource-sharing-implemented-with-universal-access';
    if (value === '*' || reflected) result = 'cross-origin-resource-sharing-implemented-with-public-access';
    else if (result === 'cross-origin-resource-sharing-not-implemented') result = 'cross-origin-resource-sharing-implemented-with-restricted-access';
  }
  return result;
}

/** Script sources on an HTML page, classified for the SRI test. */
export interface ScriptSource {
  readonly src: string;
  readonly integrity: boolean;
  readonly sameOrigin: boolean;
  /** Loaded over HTTPS by an absolute URL (or relative on an HTTPS page); protocol-relative never counts. */
  readonly secure: boolean;
}

export function scriptSources(html: string, page: URL): ScriptSource[] {
  const sources: ScriptSource[] = [];
  for (const tag of startTags(html, 'script')) {
    const src = tag.get('src');
    if (src === undefined || src.trim() === '') continue;
    let url: URL;
    try {
      url = new URL(src.trim(), page);
    } catch {
      continue;
    }
    const protocolRelative = src.trim().startsWith('//');
    sources.push({
      src: src.trim(),
      integrity: (tag.get('integrity') ?? '').trim() !== '',
      sameOrigin: url.origin === page.origin,
      secure: url.protocol === 'https:' && !protocolRelative,
    });
  }
  return sources;
}

export function sriTest(html: boolean, scripts: readonly ScriptSource[]): ObservatoryResult<'subresource-integrity'> {
  if (!html) return 'sri-not-implemented-response-not-html';
  if (scripts.length === 0) return 'sri-not-implemented-but-no-scripts-loaded';
  const external = scripts.filter((script) => !script.sameOrigin);
  if (external.length === 0) {
    return scripts.every((script) => script.integrity) ? 'sri-implemented-and-all-scripts-loaded-securely' : 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin';
  }
  const secure = external.every((script) => script.secure);
  if (external.every((script) => script.integrity)) {
    return secure ? 'sri-implemented-and-external-scripts-loaded-securely' : 'sri-implemented-but-external-scripts-not-loaded-securely';
  }
  return secure ? 'sri-not-implemented-but-external-scripts-loaded-securely' : 'sri-not-implemented-and-external-scripts-not-loaded-securely';
}

/** What the HTTP → HTTPS probe saw; `redirectionTest` names the result. */
export type RedirectionObservation =
  | { readonly kind: 'https-target-no-http' }
  | { readonly kind: 'invalid-cert' }
  | { readonly kind: 'no-redirect' }
  /** `hops`: each Location followed, in order (the first is the initial redirect). */
  | { readonly kind: 'redirects'; readonly from: URL; readonly hops: readonly URL[] };

export function redirectionTest(observation: RedirectionObservation): ObservatoryResult<'redirection'> {
  switch (observation.kind) {
    case 'https-target-no-http':
      return 'redirection-not-needed-no-http';
    case 'invalid-cert':
      return 'redirection-invalid-cert';
    case 'no-redirect':
      return 'redirection-missing';
    case 'redirects': {
      const first = observation.hops[0];
      const last = observation.hops.at(-1);
      if (first === undefined || last === undefined || last.protocol !== 'https:') return first === undefined ? 'redirection-missing' : 'redirection-not-to-https';
      if (first.protocol !== 'https:') return 'redirection-not-to-https-on-initial-redirection';
      return first.hostname === observation.from.hostname ? 'redirection-to-https' : 'redirection-off-host-from-http';
    }
  }
}
