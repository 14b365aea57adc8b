/** Why a request was refused; sent as the `reason` member of the 403 problem and published on `rampart:csrf:rejection`. */
export type CsrfReason = 'cross-site' | 'origin-mismatch' | 'origin-missing' | 'token-missing' | 'token-invalid';

export const CSRF_REASONS: readonly CsrfReason[] = Object.freeze(['cross-site', 'origin-mismatch', 'origin-missing', 'token-missing', 'token-invalid']);

/** What to do with an unsafe request that has neither `Sec-Fetch-Site` nor `Origin` (non-browser clients, very old browsers). */
export type MissingOriginPolicy = 'allow-without-cookies' | 'allow' | 'reject';

export interface CsrfTokenOptions {
  /** Lifetime of a token in seconds. Default 43200 (12 hours): a form left open over a working day still posts. */
  maxAge?: number;
  /** Form field carrying the token. Default `_csrf`. */
  field?: string;
  /** Request header carrying the token. Default `x-csrf-token`. */
  header?: string;
  /** Base name of the anchor cookie the tokens are bound to. Default `csrf` (`__Host-csrf` when cookies are Secure). */
  cookie?: string;
  /**
   * The session identity tokens are bound to, from the request's cookies.
   * Default: the raw value of the session cookie (`cookies.sessionName`), or
   * `''` before sign-in.
   */
  sessionId?: (cookies: Readonly<Record<string, string>>) => string | undefined;
}

export interface CsrfOptions {
  /**
   * `enforce` (default) answers 403; `log-only` lets the request through and
   * logs and publishes what would have been refused, to roll protection out
   * on a live service and watch before enforcing.
   */
  mode?: 'enforce' | 'log-only';
  /**
   * This service's public origins (`PUBLIC_ORIGIN`), e.g. `https://app.example.com`.
   * A browser that sends `Origin` but no `Sec-Fetch-Site` must name one of
   * them. The `Host` header is not used: a proxy may rewrite it. Default none,
   * so such requests are refused when they carry cookies.
   */
  origins?: readonly string[];
  /**
   * Other origins allowed to send state-changing requests with this site's
   * cookies (an identity provider posting back a form). Exact origins or
   * `https://*.example.com`. Default none. When `cors.credentials` is on,
   * the CORS allowlist is trusted too.
   */
  trustedOrigins?: readonly string[];
  /** Neither `Sec-Fetch-Site` nor `Origin`. Default `allow-without-cookies`: refused when the request carries cookies. */
  missingOrigin?: MissingOriginPolicy;
  /**
   * Paths that verify their callers another way (webhooks with signatures,
   * OAuth callbacks with `state`): exact, `:param` segments, or a trailing
   * `/*`. Default none; there is no built-in exemption.
   */
  exemptPaths?: readonly string[];
  /**
   * Requests without ambient credentials (no `Cookie` header: a bearer
   * token, an API key, nothing) are exempt by default: a forged request
   * without credentials acts as nobody. Set false to run the origin check on
   * them too, which also stops login CSRF from browsers; browser clients on
   * other origins then need to be in `trustedOrigins`.
   */
  exemptWithoutCookies?: boolean;
  /** The signed-token layer for cookie-authenticated requests. Default on; `false` relies on Fetch Metadata and `Origin` alone. */
  tokens?: CsrfTokenOptions | false;
}

/**
 * Defaults with their reasons. The methods RFC 9110 §9.2.1 calls safe are
 * the only ones exempt; every other method, including unknown ones, is
 * checked (deny by default).
 */
export const CSRF_DEFAULTS = Object.freeze({
  mode: 'enforce',
  missingOrigin: 'allow-without-cookies',
  exemptWithoutCookies: true,
  tokenMaxAge: 12 * 60 * 60,
  tokenField: '_csrf',
  tokenHeader: 'x-csrf-token',
  tokenCookie: 'csrf',
} as const);

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
