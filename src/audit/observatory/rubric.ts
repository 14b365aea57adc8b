import type { Grade } from '../types.js';

/**
 * The MDN HTTP Observatory's published scoring rubric ("Tests & Scoring",
 * developer.mozilla.org/en-US/observatory/docs/tests_and_scoring), written
 * out from the page's tables. Every site starts at 100; penalties are taken
 * first, and bonuses are added only when that penalty-only score is at least
 * 90; the score never goes below 0.
 *
 * Two results are never awarded here: `hsts-preloaded` and
 * `redirection-all-redirects-preloaded` need the browsers' HSTS preload
 * list, and the audit fetches nothing but the target.
 */
export const RUBRIC = {
  'content-security-policy': {
    'csp-implemented-with-no-unsafe-default-src-none': [10, "CSP implemented with default-src 'none' and nothing unsafe."],
    'csp-implemented-with-no-unsafe': [5, "CSP implemented without 'unsafe-inline', 'unsafe-eval' or overly broad sources."],
    'csp-implemented-with-unsafe-inline-in-style-src-only': [0, "CSP implemented; only style-src allows 'unsafe-inline', data: or overly broad sources."],
    'csp-implemented-with-insecure-scheme-in-passive-content-only': [-10, 'CSP implemented, but a secure site allows images or media over HTTP.'],
    'csp-implemented-with-unsafe-eval': [-10, "CSP implemented, but allows 'unsafe-eval'."],
    'csp-implemented-with-unsafe-inline': [-20, "CSP implemented unsafely: 'unsafe-inline' or data: in script-src, overly broad script-src or object-src, or either left unrestricted."],
    'csp-implemented-with-insecure-scheme': [-20, 'CSP implemented, but a secure site allows resources over HTTP.'],
    'csp-header-invalid': [-25, 'CSP header cannot be parsed.'],
    'csp-not-implemented': [-25, 'CSP header not implemented.'],
  },
  cookies: {
    'cookies-secure-with-httponly-sessions-and-samesite': [5, 'All cookies Secure, session cookies HttpOnly, all cookies SameSite Strict or Lax.'],
    'cookies-secure-with-httponly-sessions': [0, 'All cookies Secure and session cookies HttpOnly.'],
    'cookies-not-found': [0, 'No cookies seen.'],
    'cookies-without-secure-flag-but-protected-by-hsts': [-5, 'Cookies without Secure, but HSTS keeps them off HTTP.'],
    'cookies-session-without-secure-flag-but-protected-by-hsts': [-10, 'Session cookie without Secure, but HSTS keeps it off HTTP.'],
    'cookies-without-secure-flag': [-20, 'Cookies without Secure, or set over HTTP.'],
    'cookies-samesite-flag-invalid': [-20, 'Cookies with SameSite set to something other than Strict or Lax.'],
    'cookies-anticsrf-without-samesite-flag': [-20, 'Anti-CSRF cookie without SameSite.'],
    'cookies-session-without-httponly-flag': [-30, 'Session cookie without HttpOnly.'],
    'cookies-session-without-secure-flag': [-40, 'Session cookie without Secure, or set over HTTP.'],
  },
  'cross-origin-resource-sharing': {
    'cross-origin-resource-sharing-not-implemented': [0, 'Content is not visible to other origins through CORS.'],
    'cross-origin-resource-sharing-implemented-with-public-access': [0, 'Public content is visible to any origin (Access-Control-Allow-Origin: *).'],
    'cross-origin-resource-sharing-implemented-with-restricted-access': [0, 'Content is visible through CORS to specific origins only.'],
    'cross-origin-resource-sharing-implemented-with-universal-access': [-50, 'Content is visible to any origin with credentials: cross-site requests can read user data.'],
  },
  redirection: {
    'redirection-to-https': [0, 'HTTP redirects to HTTPS on the same host first.'],
    'redirection-not-needed-no-http': [0, 'Not reachable over HTTP, so no redirect is needed.'],
    'redirection-off-host-from-http': [-5, 'HTTP redirects to HTTPS on another host first, so HSTS is never set for this host.'],
    'redirection-not-to-https-on-initial-redirection': [-10, 'Reaches HTTPS eventually, but the first redirect is to another HTTP URL.'],
    'redirection-not-to-https': [-20, 'Redirects, but the final destination is not HTTPS.'],
    'redirection-missing': [-20, 'Does not redirect to HTTPS.'],
    'redirection-invalid-cert': [-20, 'Invalid certificate chain during redirection.'],
  },
  'referrer-policy': {
    'referrer-policy-private': [5, 'Referrer-Policy is no-referrer, same-origin, strict-origin or strict-origin-when-cross-origin.'],
    'referrer-policy-not-implemented': [0, 'Referrer-Policy not implemented.'],
    'referrer-policy-unsafe': [-5, 'Referrer-Policy is origin, origin-when-cross-origin, unsafe-url or no-referrer-when-downgrade.'],
    'referrer-policy-header-invalid': [-5, 'Referrer-Policy cannot be recognized.'],
  },
  'strict-transport-security': {
    'hsts-implemented-max-age-at-least-six-months': [0, 'HSTS max-age is at least six months (15768000).'],
    'hsts-implemented-max-age-less-than-six-months': [-10, 'HSTS max-age is less than six months (15768000).'],
    'hsts-not-implemented': [-20, 'HSTS not implemented.'],
    'hsts-header-invalid': [-20, 'HSTS header cannot be recognized.'],
    'hsts-not-implemented-no-https': [-20, 'HSTS cannot be set: the site is not served over HTTPS.'],
    'hsts-invalid-cert': [-20, 'HSTS cannot be set: the certificate chain is invalid.'],
  },
  'subresource-integrity': {
    'sri-implemented-and-all-scripts-loaded-securely': [5, 'SRI implemented and all scripts come from the same origin.'],
    'sri-implemented-and-external-scripts-loaded-securely': [5, 'SRI implemented and all scripts load over HTTPS.'],
    'sri-not-implemented-response-not-html': [0, 'SRI is only needed for HTML.'],
    'sri-not-implemented-but-no-scripts-loaded': [0, 'No <script> tags, so no SRI needed.'],
    'sri-not-implemented-but-all-scripts-loaded-from-secure-origin': [0, 'No SRI, but all scripts come from the same origin.'],
    'sri-not-implemented-but-external-scripts-loaded-securely': [-5, 'No SRI, but external scripts load over HTTPS.'],
    'sri-implemented-but-external-scripts-not-loaded-securely': [-20, 'SRI implemented, but external scripts load over HTTP or protocol-relative URLs.'],
    'sri-not-implemented-and-external-scripts-not-loaded-securely': [-50, 'No SRI, and external scripts load over HTTP or protocol-relative URLs.'],
  },
  'x-content-type-options': {
    'x-content-type-options-nosniff': [0, 'X-Content-Type-Options is nosniff.'],
    'x-content-type-options-not-implemented': [-5, 'X-Content-Type-Options not implemented.'],
    'x-content-type-options-header-invalid': [-5, 'X-Content-Type-Options cannot be recognized.'],
  },
  'x-frame-options': {
    'x-frame-options-implemented-via-csp': [5, "Framing controlled by CSP frame-ancestors."],
    'x-frame-options-sameorigin-or-deny': [0, 'X-Frame-Options is SAMEORIGIN or DENY.'],
    'x-frame-options-allow-from-origin': [0, 'X-Frame-Options uses ALLOW-FROM.'],
    'x-frame-options-not-implemented': [-20, 'X-Frame-Options not implemented.'],
    'x-frame-options-header-invalid': [-20, 'X-Frame-Options cannot be recognized.'],
  },
  'cross-origin-resource-policy': {
    'corp-implemented-with-same-origin': [10, 'CORP same-origin keeps responses out of cross-origin contexts.'],
    'corp-implemented-with-same-site': [10, 'CORP same-site keeps responses out of cross-site contexts.'],
    'corp-implemented-with-cross-origin': [0, 'CORP cross-origin allows any site to embed responses.'],
    'corp-not-implemented': [0, 'CORP not implemented (defaults to cross-origin).'],
    'corp-header-invalid': [-5, 'CORP cannot be recognized.'],
  },
} as const satisfies Record<string, Record<string, readonly [number, string]>>;

export type ObservatoryTestName = keyof typeof RUBRIC;
export type ObservatoryResult<T extends ObservatoryTestName = ObservatoryTestName> = T extends ObservatoryTestName ? keyof (typeof RUBRIC)[T] : never;

/** The rubric's order, which reports follow. */
export const TEST_ORDER = Object.keys(RUBRIC) as ObservatoryTestName[];

export function modifierOf<T extends ObservatoryTestName>(test: T, result: ObservatoryResult<T>): readonly [number, string] {
  return (RUBRIC[test] as Record<string, readonly [number, string]>)[result as string] as readonly [number, string];
}

/** The grading chart: the lowest score of each grade, best first. */
const GRADES: readonly (readonly [number, Grade])[] = [
  [100, 'A+'],
  [90, 'A'],
  [85, 'A-'],
  [80, 'B+'],
  [70, 'B'],
  [65, 'B-'],
  [60, 'C+'],
  [50, 'C'],
  [45, 'C-'],
  [40, 'D+'],
  [30, 'D'],
  [25, 'D-'],
  [0, 'F'],
];

export const GRADE_ORDER: readonly Grade[] = GRADES.map(([, grade]) => grade);

export function gradeOf(score: number): Grade {
  for (const [floor, grade] of GRADES) if (score >= floor) return grade;
  return 'F';
}

export function isGrade(value: unknown): value is Grade {
  return typeof value === 'string' && (GRADE_ORDER as readonly string[]).includes(value);
}

/** True when `grade` is worse than `floor`. */
export function gradeBelow(grade: Grade, floor: Grade): boolean {
  return GRADE_ORDER.indexOf(grade) > GRADE_ORDER.indexOf(floor);
}

/** The threshold bonuses need (rubric: "if the resulting score is 90 (A) or greater"). */
export const BONUS_THRESHOLD = 90;
export const BASELINE = 100;

/**
 * The two rounds of the rubric: penalties from the baseline, then bonuses
 * only for a penalty-only score of 90 or more; never below 0.
 */
export function scoreModifiers(modifiers: readonly number[]): { score: number; penaltyScore: number; bonusesApplied: boolean } {
  let penalties = 0;
  let bonuses = 0;
  for (const modifier of modifiers) {
    if (modifier < 0) penalties += modifier;
    else bonuses += modifier;
  }
  const penaltyScore = Math.max(0, BASELINE + penalties);
  const bonusesApplied = penaltyScore >= BONUS_THRESHOLD && bonuses > 0;
  return { score: bonusesApplied ? penaltyScore + bonuses : penaltyScore, penaltyScore, bonusesApplied };
}
