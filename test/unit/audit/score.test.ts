import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import helmet from 'helmet';
import { API_CSP, DOCUMENT_CSP, PERMISSIONS_POLICY } from 'rampart';
import { parseSetCookie } from '../../../src/audit/http/cookies.js';
import { HeaderMap } from '../../../src/audit/http/header-map.js';
import { grade, type SiteObservation } from '../../../src/audit/observatory/score.js';

/** The headers helmet's middleware really sets, captured from a call (not typed in by hand). */
function helmetHeaders(options?: Parameters<typeof helmet>[0]): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
    getHeader: (name: string) => headers[name.toLowerCase()],
  };
  helmet(options)({} as never, response as never, () => undefined);
  return headers;
}

function site(headers: Record<string, string | string[]>, overrides: Partial<SiteObservation> = {}): SiteObservation {
  const url = new URL(overrides.url ?? 'https://example.test/');
  return {
    url,
    secure: url.protocol === 'https:',
    certificateValid: true,
    headers: HeaderMap.from(headers),
    body: '{}',
    mediaType: 'application/json',
    cookies: [],
    redirection: { kind: 'redirects', from: new URL('http://example.test/'), hops: [new URL('https://example.test/')] },
    cors: { origin: 'https://attacker.test', answers: [] },
    ...overrides,
  };
}

const modifiers = (graded: ReturnType<typeof grade>): Record<string, number> => Object.fromEntries(graded.score.tests.map((test) => [test.test, test.modifier]));

describe('Observatory score of hand-computed header sets', () => {
  it('helmet defaults over HTTPS: 120, A+ (the +10 CSP bonus needs default-src none; helmet allows inline styles)', () => {
    // helmet 8: style-src 'self' https: 'unsafe-inline' → csp-implemented-with-unsafe-inline-in-style-src-only (0);
    // no-referrer +5; frame-ancestors 'self' +5; CORP same-origin +10; HSTS one year 0; nosniff 0.
    // 100 − 0 = 100 ≥ 90, so bonuses apply: 100 + 5 + 5 + 10 = 120.
    const graded = grade(site(helmetHeaders()));
    assert.equal(graded.results['content-security-policy'], 'csp-implemented-with-unsafe-inline-in-style-src-only');
    assert.deepEqual(modifiers(graded), {
      'content-security-policy': 0,
      cookies: 0,
      'cross-origin-resource-sharing': 0,
      redirection: 0,
      'referrer-policy': 5,
      'strict-transport-security': 0,
      'subresource-integrity': 0,
      'x-content-type-options': 0,
      'x-frame-options': 5,
      'cross-origin-resource-policy': 10,
    });
    assert.equal(graded.score.penaltyScore, 100);
    assert.equal(graded.score.score, 120);
    assert.equal(graded.score.grade, 'A+');
  });

  it("helmet with a default-src 'none' policy over HTTPS: 130, A+ (the figure an API-style CSP earns)", () => {
    // csp-implemented-with-no-unsafe-default-src-none +10, and 'none' frame-ancestors keeps the +5.
    const graded = grade(site(helmetHeaders({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } })));
    assert.equal(graded.results['content-security-policy'], 'csp-implemented-with-no-unsafe-default-src-none');
    assert.equal(graded.score.score, 130);
    assert.equal(graded.score.grade, 'A+');
  });

  it('no CSP at all: 75, B (the −25 drops the score under 90, so no bonus counts)', () => {
    // helmet without CSP: −25; X-Frame-Options SAMEORIGIN still scores 0 (no −20);
    // 100 − 25 = 75 < 90, so referrer +5 and CORP +10 are not added.
    const graded = grade(site(helmetHeaders({ contentSecurityPolicy: false })));
    assert.equal(graded.results['content-security-policy'], 'csp-not-implemented');
    assert.equal(graded.results['x-frame-options'], 'x-frame-options-sameorigin-or-deny');
    assert.equal(graded.score.penaltyScore, 75);
    assert.equal(graded.score.bonusesApplied, false);
    assert.equal(graded.score.score, 75);
    assert.equal(graded.score.grade, 'B');
  });

  it("Rampart's API headers over HTTPS: 130, A+", () => {
    const graded = grade(
      site({
        'content-security-policy': API_CSP,
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
        'cross-origin-opener-policy': 'same-origin',
        'permissions-policy': PERMISSIONS_POLICY,
      }),
    );
    assert.equal(graded.score.score, 130);
    assert.equal(graded.score.grade, 'A+');
  });

  it("Rampart's document CSP with a nonce, and a __Host- session cookie, over HTTPS: 130, A+", () => {
    // csp-implemented-with-no-unsafe +5 (default-src 'self'), cookies with SameSite +5, referrer +5, frame-ancestors +5, CORP +10.
    const cookie = parseSetCookie('__Host-session=x; Path=/; Secure; HttpOnly; SameSite=Lax', 'GET /login', true);
    assert.ok(cookie);
    const graded = grade(
      site(
        {
          'content-security-policy': DOCUMENT_CSP.replaceAll('{nonce}', 'rAnd0m'),
          'strict-transport-security': 'max-age=31536000',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cross-origin-resource-policy': 'same-origin',
          'content-type': 'text/html',
        },
        { mediaType: 'text/html', body: '<html><script nonce="rAnd0m" src="/app.js"></script></html>', cookies: [cookie] },
      ),
    );
    assert.equal(graded.results['content-security-policy'], 'csp-implemented-with-no-unsafe');
    assert.equal(graded.results.cookies, 'cookies-secure-with-httponly-sessions-and-samesite');
    assert.equal(graded.results['subresource-integrity'], 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
    assert.equal(graded.score.score, 130);
  });

  it('nothing at all over HTTPS: 30, D (−25 CSP, −20 HSTS, −5 nosniff, −20 framing)', () => {
    const graded = grade(site({}));
    assert.equal(graded.score.score, 30);
    assert.equal(graded.score.grade, 'D');
  });

  it('over plain HTTP the TLS-only penalties are marked, and the projection removes them', () => {
    const graded = grade(site(helmetHeaders(), { url: new URL('http://example.test/'), redirection: { kind: 'no-redirect' } }));
    // HSTS −20 (no https) and redirection −20: 60, C+; the same headers over HTTPS would be 120.
    assert.equal(graded.score.score, 60);
    assert.equal(graded.score.grade, 'C+');
    assert.deepEqual(
      graded.score.tests.filter((test) => test.needsTls === true).map((test) => test.result),
      ['redirection-missing', 'hsts-not-implemented-no-https'],
    );
    assert.deepEqual(graded.score.withTls, { score: 120, grade: 'A+' });
  });

  it('a session cookie without Secure costs 40, or 10 behind HSTS', () => {
    const cookie = parseSetCookie('sessionid=x; HttpOnly; SameSite=Lax', 'GET /', true);
    assert.ok(cookie);
    assert.equal(grade(site({}, { cookies: [cookie] })).results.cookies, 'cookies-session-without-secure-flag');
    assert.equal(grade(site({ 'strict-transport-security': 'max-age=31536000' }, { cookies: [cookie] })).results.cookies, 'cookies-session-without-secure-flag-but-protected-by-hsts');
  });

  it('credentialed reflection of a foreign origin costs 50', () => {
    const graded = grade(site(helmetHeaders(), { cors: { origin: 'https://attacker.test', answers: [{ allowOrigin: 'https://attacker.test', allowCredentials: true }] } }));
    assert.equal(graded.results['cross-origin-resource-sharing'], 'cross-origin-resource-sharing-implemented-with-universal-access');
    // 100 − 50 = 50 < 90: no bonuses.
    assert.equal(graded.score.score, 50);
  });
});
