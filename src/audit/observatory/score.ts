import type { SeenCookie } from '../http/cookies.js';
import type { HeaderMap } from '../http/header-map.js';
import { isHtml, metaPolicies } from '../http/html.js';
import type { ObservatoryScore, ObservatoryTest } from '../types.js';
import { evaluateCsp, type CspVerdict } from './csp.js';
import { gradeOf, modifierOf, scoreModifiers, TEST_ORDER, type ObservatoryResult, type ObservatoryTestName } from './rubric.js';
import {
  cookiesTest,
  corpTest,
  corsTest,
  hstsProtects,
  hstsTest,
  redirectionTest,
  referrerPolicyTest,
  scriptSources,
  sriTest,
  xContentTypeOptionsTest,
  xFrameOptionsTest,
  type CorsObservation,
  type RedirectionObservation,
} from './tests.js';

/** Everything the Observatory tests look at, gathered by the probes. */
export interface SiteObservation {
  /** The page graded: the start URL after same-host redirects. */
  readonly url: URL;
  readonly secure: boolean;
  readonly certificateValid: boolean;
  readonly headers: HeaderMap;
  readonly body: string;
  readonly mediaType: string | undefined;
  /** Every cookie seen on the pages visited. */
  readonly cookies: readonly SeenCookie[];
  readonly redirection: RedirectionObservation;
  readonly cors: CorsObservation;
}

export type ObservatoryResults = { readonly [T in ObservatoryTestName]: ObservatoryResult<T> };

export interface Graded {
  readonly score: ObservatoryScore;
  readonly results: ObservatoryResults;
  readonly csp: CspVerdict;
}

/** Results that are this bad only because the target answered over plain HTTP. */
const TLS_ONLY: ReadonlySet<string> = new Set(['hsts-not-implemented-no-https', 'redirection-missing']);

export function runTests(site: SiteObservation): { results: ObservatoryResults; csp: CspVerdict } {
  const html = isHtml(site.mediaType);
  const csp = evaluateCsp(site.headers.all('content-security-policy'), html ? metaPolicies(site.body) : [], site.secure, site.headers.has('content-security-policy-report-only'));
  const results: ObservatoryResults = {
    'content-security-policy': csp.result,
    cookies: cookiesTest(site.cookies, hstsProtects(site.headers, site.secure)),
    'cross-origin-resource-sharing': corsTest(site.cors),
    redirection: redirectionTest(site.redirection),
    'referrer-policy': referrerPolicyTest(site.headers),
    'strict-transport-security': hstsTest(site.headers, site.secure, site.certificateValid),
    'subresource-integrity': sriTest(html, html ? scriptSources(site.body, site.url) : []),
    'x-content-type-options': xContentTypeOptionsTest(site.headers),
    'x-frame-options': xFrameOptionsTest(site.headers, csp),
    'cross-origin-resource-policy': corpTest(site.headers),
  };
  return { results, csp };
}

function tally(results: ObservatoryResults, site: SiteObservation): { tests: ObservatoryTest[]; score: number; penaltyScore: number; bonusesApplied: boolean } {
  const tests = TEST_ORDER.map((test): ObservatoryTest => {
    const result = results[test];
    const [modifier, description] = modifierOf(test, result);
    const cookieOverHttp = test === 'cookies' && !site.secure && modifier < 0;
    return { test, result, modifier, description, ...(TLS_ONLY.has(result) || cookieOverHttp ? { needsTls: true } : {}) };
  });
  return { tests, ...scoreModifiers(tests.map((test) => test.modifier)) };
}

/**
 * Grades a site. Over plain HTTP it also works out `withTls`: the same
 * headers and cookies served over HTTPS with a redirect and a six-month HSTS
 * policy, so a development audit shows what TLS alone would change.
 */
export function grade(site: SiteObservation): Graded {
  const { results, csp } = runTests(site);
  const { tests, score, penaltyScore, bonusesApplied } = tally(results, site);
  let withTls: ObservatoryScore['withTls'];
  if (!site.secure) {
    const headers = site.headers;
    const projected = runTests({
      ...site,
      secure: true,
      certificateValid: true,
      cookies: site.cookies.map((cookie) => ({ ...cookie, overHttps: true })),
      redirection: { kind: 'redirects', from: site.url, hops: [new URL(site.url.href.replace(/^http:/, 'https:'))] },
    });
    const assumed: ObservatoryResults = {
      ...projected.results,
      'strict-transport-security': headers.has('strict-transport-security') ? projected.results['strict-transport-security'] : 'hsts-implemented-max-age-at-least-six-months',
    };
    const projectedTally = tally(assumed, { ...site, secure: true });
    withTls = { score: projectedTally.score, grade: gradeOf(projectedTally.score) };
  }
  return {
    results,
    csp,
    score: { score, grade: gradeOf(score), penaltyScore, bonusesApplied, tests, ...(withTls === undefined ? {} : { withTls }) },
  };
}
