import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSessionLike, parseSetCookie, type SeenCookie } from '../../../src/audit/http/cookies.js';
import { HeaderMap } from '../../../src/audit/http/header-map.js';
import { evaluateCsp } from '../../../src/audit/observatory/csp.js';
import {
  cookiesTest,
  corpTest,
  corsTest,
  hstsTest,
  parseHsts,
  redirectionTest,
  referrerPolicyTest,
  scriptSources,
  sriTest,
  xContentTypeOptionsTest,
  xFrameOptionsTest,
} from '../../../src/audit/observatory/tests.js';

const headers = (values: Record<string, string | string[]>): HeaderMap => HeaderMap.from(values);
const cookie = (line: string, overHttps = true): SeenCookie => parseSetCookie(line, 'GET /', overHttps) as SeenCookie;
const noCsp = evaluateCsp([], [], true, false);

describe('HSTS (RFC 6797)', () => {
  it('parses max-age and flags, and refuses repeated or malformed directives', () => {
    assert.deepEqual(parseHsts('max-age=31536000; includeSubDomains; preload'), { maxAge: 31536000, includeSubDomains: true, preload: true });
    assert.deepEqual(parseHsts('max-age="600"'), { maxAge: 600, includeSubDomains: false, preload: false });
    assert.equal(parseHsts('includeSubDomains'), undefined);
    assert.equal(parseHsts('max-age=1year'), undefined);
    assert.equal(parseHsts('max-age=1; max-age=2'), undefined);
  });

  it('grades by the six-month threshold, reads only the first header, and needs HTTPS', () => {
    assert.equal(hstsTest(headers({ 'strict-transport-security': 'max-age=15768000' }), true, true), 'hsts-implemented-max-age-at-least-six-months');
    assert.equal(hstsTest(headers({ 'strict-transport-security': 'max-age=15767999' }), true, true), 'hsts-implemented-max-age-less-than-six-months');
    assert.equal(hstsTest(headers({ 'strict-transport-security': ['max-age=0', 'max-age=31536000'] }), true, true), 'hsts-implemented-max-age-less-than-six-months');
    assert.equal(hstsTest(headers({ 'strict-transport-security': 'max-age=31536000' }), false, true), 'hsts-not-implemented-no-https');
    assert.equal(hstsTest(headers({ 'strict-transport-security': 'max-age=31536000' }), true, false), 'hsts-invalid-cert');
    assert.equal(hstsTest(headers({}), true, true), 'hsts-not-implemented');
  });
});

describe('framing, sniffing, referrer and CORP', () => {
  it('prefers frame-ancestors, accepts DENY/SAMEORIGIN, and refuses lists', () => {
    assert.equal(xFrameOptionsTest(headers({}), evaluateCsp(["default-src 'none'; frame-ancestors 'self'"], [], true, false)), 'x-frame-options-implemented-via-csp');
    assert.equal(xFrameOptionsTest(headers({ 'x-frame-options': ' deny ' }), noCsp), 'x-frame-options-sameorigin-or-deny');
    assert.equal(xFrameOptionsTest(headers({ 'x-frame-options': 'ALLOW-FROM https://a.test' }), noCsp), 'x-frame-options-allow-from-origin');
    assert.equal(xFrameOptionsTest(headers({ 'x-frame-options': 'DENY, SAMEORIGIN' }), noCsp), 'x-frame-options-header-invalid');
    assert.equal(xFrameOptionsTest(headers({}), noCsp), 'x-frame-options-not-implemented');
  });

  it('wants exactly nosniff', () => {
    assert.equal(xContentTypeOptionsTest(headers({ 'x-content-type-options': 'NoSniff' })), 'x-content-type-options-nosniff');
    assert.equal(xContentTypeOptionsTest(headers({ 'x-content-type-options': 'nosniff, nosniff' })), 'x-content-type-options-header-invalid');
  });

  it('takes the last referrer policy the browser recognizes (Referrer Policy §8.1)', () => {
    assert.equal(referrerPolicyTest(headers({ 'referrer-policy': 'unsafe-url, no-referrer' })), 'referrer-policy-private');
    assert.equal(referrerPolicyTest(headers({ 'referrer-policy': 'no-referrer, unsafe-url, made-up' })), 'referrer-policy-unsafe');
    assert.equal(referrerPolicyTest(headers({ 'referrer-policy': 'made-up' })), 'referrer-policy-header-invalid');
    assert.equal(referrerPolicyTest(headers({})), 'referrer-policy-not-implemented');
  });

  it('grades CORP values', () => {
    assert.equal(corpTest(headers({ 'cross-origin-resource-policy': 'same-site' })), 'corp-implemented-with-same-site');
    assert.equal(corpTest(headers({ 'cross-origin-resource-policy': 'cross-origin' })), 'corp-implemented-with-cross-origin');
    assert.equal(corpTest(headers({ 'cross-origin-resource-policy': 'same-origin-ish' })), 'corp-header-invalid');
  });
});

describe('cookies', () => {
  it('recognizes session-like names but not anti-CSRF tokens', () => {
    for (const name of ['connect.sid', 'PHPSESSID', 'JSESSIONID', '__Host-session', 'auth_token', 'remember_me', 'next-auth.session-token']) assert.equal(isSessionLike(name), true, name);
    for (const name of ['csrf_token', '_csrf', 'XSRF-TOKEN', 'theme', 'locale']) assert.equal(isSessionLike(name), false, name);
  });

  it('reports the worst cookie', () => {
    assert.equal(cookiesTest([], false), 'cookies-not-found');
    assert.equal(cookiesTest([cookie('theme=dark; Secure; SameSite=Lax'), cookie('sid=1; Secure; SameSite=Lax')], false), 'cookies-session-without-httponly-flag');
    assert.equal(cookiesTest([cookie('sid=1; HttpOnly; SameSite=Lax'), cookie('sid2=1; Secure; SameSite=Lax')], false), 'cookies-session-without-secure-flag');
    assert.equal(cookiesTest([cookie('theme=dark; Secure; SameSite=None')], false), 'cookies-samesite-flag-invalid');
    assert.equal(cookiesTest([cookie('csrf=1; Secure')], false), 'cookies-anticsrf-without-samesite-flag');
    assert.equal(cookiesTest([cookie('theme=dark; Secure')], false), 'cookies-secure-with-httponly-sessions');
    assert.equal(cookiesTest([cookie('theme=dark; Secure; SameSite=Strict')], false), 'cookies-secure-with-httponly-sessions-and-samesite');
    // "or set via HTTP": Secure means nothing on a cookie an HTTP page set.
    assert.equal(cookiesTest([cookie('theme=dark; Secure; SameSite=Strict', false)], false), 'cookies-without-secure-flag');
  });
});

describe('CORS, SRI and redirection', () => {
  const origin = 'https://attacker.test';
  it('punishes only credentialed access for any origin', () => {
    assert.equal(corsTest({ origin, answers: [] }), 'cross-origin-resource-sharing-not-implemented');
    assert.equal(corsTest({ origin, answers: [{ allowOrigin: '*', allowCredentials: false }] }), 'cross-origin-resource-sharing-implemented-with-public-access');
    assert.equal(corsTest({ origin, answers: [{ allowOrigin: 'https://app.test', allowCredentials: true }] }), 'cross-origin-resource-sharing-implemented-with-restricted-access');
    assert.equal(corsTest({ origin, answers: [{ allowOrigin: 'null', allowCredentials: true }] }), 'cross-origin-resource-sharing-implemented-with-universal-access');
  });

  it('classifies script sources', () => {
    const page = new URL('https://site.test/page');
    const html = '<script src="/a.js"></script><!-- <script src="http://old.test/x.js"></script> --><script src="https://cdn.test/b.js" integrity="sha384-x"></script><script>inline()</script>';
    const scripts = scriptSources(html, page);
    assert.deepEqual(scripts.map((script) => [script.src, script.sameOrigin, script.integrity, script.secure]), [
      ['/a.js', true, false, true],
      ['https://cdn.test/b.js', false, true, true],
    ]);
    assert.equal(sriTest(true, scripts), 'sri-implemented-and-external-scripts-loaded-securely');
    assert.equal(sriTest(true, scriptSources('<script src="//cdn.test/c.js"></script>', page)), 'sri-not-implemented-and-external-scripts-not-loaded-securely');
    assert.equal(sriTest(true, scriptSources('<script src="https://cdn.test/c.js"></script>', page)), 'sri-not-implemented-but-external-scripts-loaded-securely');
    assert.equal(sriTest(true, []), 'sri-not-implemented-but-no-scripts-loaded');
    assert.equal(sriTest(false, []), 'sri-not-implemented-response-not-html');
  });

  it('follows the redirect chain the way the rubric reads it', () => {
    const from = new URL('http://site.test/');
    assert.equal(redirectionTest({ kind: 'redirects', from, hops: [new URL('https://site.test/')] }), 'redirection-to-https');
    assert.equal(redirectionTest({ kind: 'redirects', from, hops: [new URL('https://www.site.test/')] }), 'redirection-off-host-from-http');
    assert.equal(redirectionTest({ kind: 'redirects', from, hops: [new URL('http://site.test/home'), new URL('https://site.test/home')] }), 'redirection-not-to-https-on-initial-redirection');
    assert.equal(redirectionTest({ kind: 'redirects', from, hops: [new URL('http://site.test/home')] }), 'redirection-not-to-https');
    assert.equal(redirectionTest({ kind: 'no-redirect' }), 'redirection-missing');
    assert.equal(redirectionTest({ kind: 'https-target-no-http' }), 'redirection-not-needed-no-http');
  });
});
