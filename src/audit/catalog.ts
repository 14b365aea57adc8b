import type { Category, Evidence, Finding, Outcome, Severity } from './types.js';

/** What never changes about a check: its id, title, risk, ZAP rules and the usual fix. */
export interface CheckDefinition {
  readonly id: string;
  readonly title: string;
  readonly category: Category;
  /** The risk when the check fails (ZAP's scale). */
  readonly severity: Severity;
  /** OWASP ZAP rule ids reporting the same problem (passive rules where one exists). */
  readonly zap: readonly number[];
  /** The fix shown when a result has no more specific one. */
  readonly fix: string;
  readonly references: readonly string[];
  /** Only a service reached over HTTPS can pass it. */
  readonly needsTls?: true;
}

const MDN = 'https://developer.mozilla.org/en-US/docs/Web';
const OWASP_HEADERS = 'https://owasp.org/www-project-secure-headers/';

const checks = [
  // transport
  { id: 'https', title: 'Served over HTTPS', category: 'transport', severity: 'high', zap: [10106], needsTls: true, references: [`${MDN}/Security/Practical_implementation_guides/TLS`],
    fix: 'Serve the service over TLS: Node\'s https module, or a TLS-terminating proxy in front (`rampart deploy nginx`), with trustProxy set so Rampart sees the original scheme.' },
  { id: 'redirection', title: 'HTTP redirects to HTTPS', category: 'transport', severity: 'medium', zap: [10047], needsTls: true, references: [`${MDN}/Security/Practical_implementation_guides/TLS#http_redirections`],
    fix: 'Answer every plain-HTTP request with a 301/308 to the same path on https:// on the same host, so the browser then receives HSTS for this host.' },
  { id: 'hsts', title: 'Strict-Transport-Security', category: 'transport', severity: 'medium', zap: [10035], needsTls: true, references: ['https://www.rfc-editor.org/rfc/rfc6797', `${MDN}/HTTP/Headers/Strict-Transport-Security`],
    fix: 'Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on HTTPS responses only (Rampart: `headers.hsts`, on by default).' },
  // headers
  { id: 'csp', title: 'Content-Security-Policy', category: 'headers', severity: 'medium', zap: [10038, 10055], references: [`${MDN}/HTTP/CSP`, 'https://web.dev/articles/strict-csp'],
    fix: "Send a Content-Security-Policy: `default-src 'none'; frame-ancestors 'none'` for APIs, a nonce-based strict policy for HTML (Rampart's defaults)." },
  { id: 'x-frame-options', title: 'Clickjacking protection', category: 'headers', severity: 'medium', zap: [10020], references: [`${MDN}/Security/Practical_implementation_guides/Clickjacking`],
    fix: "Set CSP `frame-ancestors 'none'` (or 'self'), and `X-Frame-Options: DENY` for old browsers." },
  { id: 'x-content-type-options', title: 'X-Content-Type-Options', category: 'headers', severity: 'low', zap: [10021], references: [`${MDN}/HTTP/Headers/X-Content-Type-Options`],
    fix: 'Send `X-Content-Type-Options: nosniff` on every response.' },
  { id: 'referrer-policy', title: 'Referrer-Policy', category: 'headers', severity: 'low', zap: [], references: [`${MDN}/HTTP/Headers/Referrer-Policy`],
    fix: 'Send `Referrer-Policy: no-referrer` (or strict-origin-when-cross-origin when analytics need the origin).' },
  { id: 'corp', title: 'Cross-Origin-Resource-Policy', category: 'headers', severity: 'low', zap: [90004], references: [`${MDN}/HTTP/Headers/Cross-Origin-Resource-Policy`],
    fix: 'Send `Cross-Origin-Resource-Policy: same-origin` (same-site for assets shared with sibling subdomains).' },
  { id: 'coop', title: 'Cross-Origin-Opener-Policy', category: 'headers', severity: 'low', zap: [90004], references: [`${MDN}/HTTP/Headers/Cross-Origin-Opener-Policy`],
    fix: 'Send `Cross-Origin-Opener-Policy: same-origin` so other sites cannot keep a handle on your windows.' },
  { id: 'coep', title: 'Cross-Origin-Embedder-Policy', category: 'headers', severity: 'info', zap: [90004], references: [`${MDN}/HTTP/Headers/Cross-Origin-Embedder-Policy`],
    fix: "Pages that need cross-origin isolation (SharedArrayBuffer, precise timers) send `Cross-Origin-Embedder-Policy: require-corp` (Rampart: `headers.extra`)." },
  { id: 'permissions-policy', title: 'Permissions-Policy', category: 'headers', severity: 'low', zap: [10063], references: [`${MDN}/HTTP/Headers/Permissions-Policy`],
    fix: 'Send a Permissions-Policy denying the features the service never uses, e.g. `camera=(), microphone=(), geolocation=()` (Rampart sends a deny-all list).' },
  { id: 'sri', title: 'Subresource Integrity', category: 'headers', severity: 'medium', zap: [90003, 10017], references: [`${MDN}/Security/Subresource_Integrity`],
    fix: 'Load third-party scripts over https:// with an `integrity="sha384-…"` attribute and `crossorigin="anonymous"`, or self-host them.' },
  // leaks
  { id: 'x-powered-by', title: 'No X-Powered-By', category: 'leaks', severity: 'low', zap: [10037], references: [OWASP_HEADERS],
    fix: "Remove `X-Powered-By` (Express: `app.disable('x-powered-by')`; Rampart removes it)." },
  { id: 'server-version', title: 'No versioned Server header', category: 'leaks', severity: 'low', zap: [10036], references: [OWASP_HEADERS],
    fix: 'Drop the version from `Server` (nginx: `server_tokens off;`) or remove the header.' },
  { id: 'leaky-headers', title: 'No headers from OWASP\'s list to remove', category: 'leaks', severity: 'low', zap: [10039, 10052, 10056, 10061], references: ['https://owasp.org/www-project-secure-headers/#div-bestpractices'],
    fix: 'Remove headers that name the platform, backend or debug tooling (X-AspNet-Version, X-Backend-Server, X-Debug-Token, X-Runtime, …).' },
  // error pages
  { id: 'error-not-found', title: 'Unknown paths answer a clean 404', category: 'errors', severity: 'medium', zap: [90022, 10023], references: ['https://owasp.org/www-community/Improper_Error_Handling'],
    fix: 'Answer unknown paths with 404 and a generic body (Rampart: problem+json `NOT_FOUND`).' },
  { id: 'error-malformed-json', title: 'Malformed JSON answers 400', category: 'errors', severity: 'medium', zap: [90022, 10023], references: ['https://www.rfc-editor.org/rfc/rfc9457'],
    fix: 'Map body-parser errors to 400 with a generic body (Rampart: problem+json `MALFORMED_JSON`); never echo the parser message or a stack.' },
  { id: 'error-oversized-body', title: 'Oversized bodies answer 413', category: 'errors', severity: 'medium', zap: [90022], references: [`${MDN}/HTTP/Status/413`],
    fix: 'Set a body size limit (Fastify `bodyLimit`, Express `json({ limit })`) and answer 413 before reading further.' },
  { id: 'error-unsupported-method', title: 'Unsupported methods answer 4xx', category: 'errors', severity: 'low', zap: [90022], references: ['https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6'],
    fix: 'Answer methods a resource does not support with 405 (or 404/501), never 500.' },
  { id: 'error-trace', title: 'TRACE is disabled', category: 'errors', severity: 'medium', zap: [90028], references: ['https://owasp.org/www-community/attacks/Cross_Site_Tracing'],
    fix: 'Refuse TRACE (405): echoing the request lets scripts read HttpOnly cookies and auth headers (cross-site tracing).' },
  // cookies
  { id: 'cookie-secure', title: 'Cookies are Secure', category: 'cookies', severity: 'medium', zap: [10011], needsTls: true, references: [`${MDN}/Security/Practical_implementation_guides/Cookies`],
    fix: 'Set `Secure` on every cookie, and serve them over HTTPS only.' },
  { id: 'cookie-httponly', title: 'Session cookies are HttpOnly', category: 'cookies', severity: 'medium', zap: [10010], references: [`${MDN}/HTTP/Headers/Set-Cookie#httponly`],
    fix: 'Set `HttpOnly` on session and credential cookies so injected scripts cannot read them.' },
  { id: 'cookie-samesite', title: 'Cookies set SameSite', category: 'cookies', severity: 'low', zap: [10054], references: [`${MDN}/HTTP/Headers/Set-Cookie#samesitesamesite-value`],
    fix: 'Set `SameSite=Lax` (or Strict) on every cookie; None only for cookies that must travel cross-site, with Secure.' },
  { id: 'cookie-host-prefix', title: 'Session cookies use the __Host- prefix', category: 'cookies', severity: 'low', zap: [90033], needsTls: true, references: ['https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3.2'],
    fix: 'Name session cookies `__Host-…` with `Secure; Path=/` and no Domain: subdomains and HTTP pages then cannot set or overwrite them.' },
  // CORS
  { id: 'cors', title: 'CORS trusts only listed origins', category: 'cors', severity: 'high', zap: [10098, 40040], references: ['https://portswigger.net/web-security/cors', `${MDN}/HTTP/CORS`],
    fix: 'Answer CORS only for an explicit allowlist of origins; never reflect the request\'s Origin (or `null`) with `Access-Control-Allow-Credentials: true`.' },
  // CSRF
  { id: 'csrf', title: 'Cross-site form posts are rejected', category: 'csrf', severity: 'high', zap: [20012, 10202], references: ['https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html'],
    fix: 'Reject unsafe requests whose `Sec-Fetch-Site` is cross-site or whose `Origin` is not yours, and require a signed token (Rampart: the `csrf` option).' },
  // operations
  { id: 'health-liveness', title: 'Liveness endpoint', category: 'operations', severity: 'low', zap: [], references: ['https://datatracker.ietf.org/doc/html/draft-inadarei-api-health-check'],
    fix: 'Expose a cheap liveness endpoint (`/health/live`) answering 200, as `application/health+json` `{"status":"pass"}`.' },
  { id: 'health-readiness', title: 'Readiness endpoint', category: 'operations', severity: 'low', zap: [], references: ['https://datatracker.ietf.org/doc/html/draft-inadarei-api-health-check'],
    fix: 'Expose a readiness endpoint (`/health/ready`) that checks dependencies: 200 when ready, 503 while starting or draining.' },
  { id: 'metrics-public', title: 'Metrics are not public', category: 'operations', severity: 'medium', zap: [], references: ['https://prometheus.io/docs/operating/security/'],
    fix: 'Serve /metrics on an internal port or require a token: metrics name routes, versions and traffic.' },
  { id: 'request-id', title: 'Request ids are echoed', category: 'operations', severity: 'low', zap: [], references: ['https://www.w3.org/TR/trace-context/'],
    fix: 'Return `X-Request-ID` on every response (a valid inbound id, or a new one) and log it, so a user\'s report leads to the log line.' },
  { id: 'problem-json', title: 'Errors are RFC 9457 problem+json', category: 'operations', severity: 'low', zap: [], references: ['https://www.rfc-editor.org/rfc/rfc9457'],
    fix: 'Answer every error as `application/problem+json` with type, title, status and a stable code.' },
  // rate limit
  { id: 'rate-limit', title: 'Rate limit enforced', category: 'rate-limit', severity: 'medium', zap: [], references: ['https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/', 'https://www.rfc-editor.org/rfc/rfc6585#section-4'],
    fix: 'Limit the path (Rampart: the `rateLimit` option) and answer 429 with `Retry-After` and RateLimit headers.' },
] as const satisfies readonly CheckDefinition[];

export type CheckId = (typeof checks)[number]['id'];

export const CHECKS: ReadonlyMap<string, CheckDefinition> = new Map(checks.map((check) => [check.id, check]));

export const CHECK_IDS: readonly CheckId[] = checks.map((check) => check.id);

export function isCheckId(value: string): value is CheckId {
  return CHECKS.has(value);
}

export interface FindingInput {
  readonly outcome: Outcome;
  readonly result: string;
  readonly summary: string;
  readonly evidence?: readonly Evidence[];
  /** Replaces the check's usual fix. */
  readonly fix?: string;
  /** Overrides the catalog: e.g. a weaker variant of a problem. */
  readonly severity?: Severity;
  readonly zap?: readonly number[];
}

/** A finding for a check, with the catalog's metadata filled in. */
export function finding(id: CheckId, input: FindingInput): Finding {
  const check = CHECKS.get(id) as CheckDefinition;
  const problem = input.outcome !== 'pass' && input.outcome !== 'skip';
  return {
    id,
    title: check.title,
    category: check.category,
    severity: input.severity ?? check.severity,
    outcome: input.outcome,
    result: input.result,
    summary: input.summary,
    ...(problem ? { fix: input.fix ?? check.fix } : {}),
    evidence: input.evidence ?? [],
    zap: input.zap ?? check.zap,
    ...(check.needsTls === true ? { needsTls: true } : {}),
    references: check.references,
  };
}
