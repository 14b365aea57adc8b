import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCUMENT_CSP } from 'rampart';
import { evaluateCsp, parsePolicy, splitPolicies } from '../../../src/audit/observatory/csp.js';

const result = (policy: string | string[], secure = true, meta: string[] = []): string => evaluateCsp(typeof policy === 'string' ? [policy] : policy, meta, secure, false).result;

describe('CSP parsing', () => {
  it('lower-cases names and keywords, keeps nonce values, and lets the first of a repeated directive win (CSP3 §2.2.1)', () => {
    const policy = parsePolicy("Script-Src 'SELF' 'nonce-AbC'; script-src *; img-src data:");
    assert.deepEqual(policy?.get('script-src'), ["'self'", "'nonce-AbC'"]);
    assert.deepEqual(policy?.get('img-src'), ['data:']);
  });

  it('rejects what cannot be a policy', () => {
    assert.equal(parsePolicy(''), undefined);
    assert.equal(parsePolicy(' ; ; '), undefined);
    assert.equal(parsePolicy('default_src *'), undefined);
    assert.equal(parsePolicy("default-src 'self' ünïcode"), undefined);
  });

  it('splits comma-joined and repeated header lines into policies', () => {
    assert.deepEqual(splitPolicies(["default-src 'self', script-src 'none'", "img-src 'self'"]), ["default-src 'self'", "script-src 'none'", "img-src 'self'"]);
  });
});

describe('CSP grading', () => {
  it("gives the top result only to default-src 'none'", () => {
    assert.equal(result("default-src 'none'"), 'csp-implemented-with-no-unsafe-default-src-none');
    assert.equal(result("default-src 'none' 'self'"), 'csp-implemented-with-no-unsafe');
    assert.equal(result("default-src 'self'"), 'csp-implemented-with-no-unsafe');
  });

  it("treats a missing script-src and default-src as unrestricted, as browsers do", () => {
    assert.equal(result("frame-ancestors 'none'"), 'csp-implemented-with-unsafe-inline');
    assert.equal(result("script-src 'self'"), 'csp-implemented-with-unsafe-inline', 'object-src is unrestricted without default-src');
    assert.equal(result("script-src 'self'; object-src 'none'; style-src 'self'"), 'csp-implemented-with-no-unsafe');
  });

  it("fails 'unsafe-inline', data: and scheme wildcards in script-src, and wildcards in object-src", () => {
    assert.equal(result("default-src 'self'; script-src 'self' 'unsafe-inline'"), 'csp-implemented-with-unsafe-inline');
    assert.equal(result("default-src 'self'; script-src 'self' data:"), 'csp-implemented-with-unsafe-inline');
    assert.equal(result("default-src 'self'; script-src https:"), 'csp-implemented-with-unsafe-inline');
    assert.equal(result("default-src 'self'; object-src *"), 'csp-implemented-with-unsafe-inline');
  });

  it("ignores 'unsafe-inline' next to a nonce or hash (CSP3 §6.7.3.3), and host sources under 'strict-dynamic' (§8.2)", () => {
    assert.equal(result("default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'"), 'csp-implemented-with-no-unsafe');
    assert.equal(result("default-src 'self'; script-src 'sha256-abc=' 'unsafe-inline'"), 'csp-implemented-with-no-unsafe');
    assert.equal(result("object-src 'none'; base-uri 'none'; script-src 'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'; style-src 'self'"), 'csp-implemented-with-no-unsafe');
    // Without a nonce, 'strict-dynamic' does not neutralize the wildcard.
    assert.equal(result("object-src 'none'; script-src 'strict-dynamic' https:"), 'csp-implemented-with-unsafe-inline');
  });

  it("grades Rampart's document policy, nonce filled in or not, as free of unsafe sources", () => {
    assert.equal(result(DOCUMENT_CSP.replaceAll('{nonce}', 'n0nce')), 'csp-implemented-with-no-unsafe');
    assert.equal(result(DOCUMENT_CSP.replaceAll("'nonce-{nonce}'", "'self'")), 'csp-implemented-with-no-unsafe');
  });

  it('orders the lesser weaknesses: http: sources, unsafe-eval, passive http:, unsafe styles', () => {
    assert.equal(result("default-src 'self'; connect-src http://api.example.test"), 'csp-implemented-with-insecure-scheme');
    assert.equal(result("default-src 'self'; script-src 'self' 'unsafe-eval'"), 'csp-implemented-with-unsafe-eval');
    assert.equal(result("default-src 'self'; img-src http://cdn.example.test"), 'csp-implemented-with-insecure-scheme-in-passive-content-only');
    assert.equal(result("default-src 'self'; style-src 'self' 'unsafe-inline'"), 'csp-implemented-with-unsafe-inline-in-style-src-only');
    // http: sources only matter on an HTTPS page.
    assert.equal(result("default-src 'self'; connect-src http://api.example.test", false), 'csp-implemented-with-no-unsafe');
  });

  it('needs every policy to allow a weakness before it counts (CSP3 §4.1: all policies are enforced)', () => {
    assert.equal(result(["script-src 'unsafe-inline'", "default-src 'none'"]), 'csp-implemented-with-no-unsafe-default-src-none');
    assert.equal(result(["default-src 'self'; script-src 'unsafe-inline'", "default-src 'self'; script-src 'unsafe-inline' 'unsafe-eval'"]), 'csp-implemented-with-unsafe-inline');
  });

  it('reads <meta> policies, but never frame-ancestors from them (CSP3 §3.3)', () => {
    const verdict = evaluateCsp([], ["default-src 'none'; frame-ancestors 'none'"], true, false);
    assert.equal(verdict.result, 'csp-implemented-with-no-unsafe-default-src-none');
    assert.equal(verdict.frameAncestorsRestricted, false);
    assert.equal(evaluateCsp(["frame-ancestors 'self'; default-src 'none'"], [], true, false).frameAncestorsRestricted, true);
    assert.equal(evaluateCsp(["frame-ancestors *; default-src 'none'"], [], true, false).frameAncestorsRestricted, false);
  });

  it('counts Report-Only as not implemented, and a broken header as invalid', () => {
    const reportOnly = evaluateCsp([], [], true, true);
    assert.equal(reportOnly.result, 'csp-not-implemented');
    assert.match(reportOnly.reasons.join(), /Report-Only/);
    assert.equal(result('default_src none'), 'csp-header-invalid');
  });
});
