import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { CHECK_IDS, runAudit, type AuditOptions, type AuditReport, type Outcome } from 'rampart/audit';
import { STRONG_HEADERS, close, listen, startNodeFixture, type Behaviour, type FixtureOptions } from '../../fixtures/audit/node-server.js';
import { testTls } from '../../fixtures/audit/tls.js';

/**
 * Every check, failing and passing on the same bare `node:http` service: the
 * strong fixture passes them all; each case flips one behaviour and must
 * produce exactly the findings listed, with their result ids.
 */

async function audit(behaviour: Partial<Behaviour>, fixture: FixtureOptions = { tls: true }, extra: Partial<AuditOptions> = {}): Promise<AuditReport> {
  const server = await startNodeFixture(behaviour, fixture);
  try {
    return await runAudit({
      url: server.url,
      ...(fixture.tls === true ? { ca: (await testTls()).ca } : {}),
      ...(server.httpPort === undefined ? {} : { httpPort: server.httpPort }),
      csrfPaths: ['/login'],
      rateLimit: { path: '/limited', requests: 10 },
      oversizedBytes: 128 * 1024,
      ...extra,
    });
  } finally {
    await server.close();
  }
}

/** `id → outcome:result` for everything that did not pass or skip. */
function problems(report: AuditReport): Record<string, string> {
  return Object.fromEntries(report.findings.filter((item) => item.outcome !== 'pass' && item.outcome !== 'skip').map((item) => [item.id, `${item.outcome}:${item.result}`]));
}

const without = (name: string): Record<string, string | false> => ({ ...STRONG_HEADERS, [name]: false });

interface Case {
  readonly name: string;
  readonly behaviour: Partial<Behaviour>;
  readonly fixture?: FixtureOptions;
  /** The exact findings that do not pass: `id → outcome:result`. */
  readonly expect: Record<string, `${Outcome}:${string}`>;
}

const CASES: readonly Case[] = [
  // transport
  { name: 'plain HTTP', behaviour: {}, fixture: { tls: false }, expect: { https: 'fail:http-only', hsts: 'fail:hsts-not-implemented-no-https', redirection: 'fail:redirection-missing', 'cookie-secure': 'fail:cookies-set-over-http', 'cookie-host-prefix': 'fail:host-prefix-invalid' } },
  { name: 'HTTP answers without redirecting', behaviour: {}, fixture: { tls: true, http: 'serve' }, expect: { redirection: 'fail:redirection-missing' } },
  { name: 'HTTP redirects to another host', behaviour: {}, fixture: { tls: true, http: 'off-host' }, expect: { redirection: 'warn:redirection-off-host-from-http' } },
  { name: 'short HSTS', behaviour: { hsts: 'max-age=300' }, expect: { hsts: 'fail:hsts-implemented-max-age-less-than-six-months' } },
  { name: 'no HSTS', behaviour: { hsts: false }, expect: { hsts: 'fail:hsts-not-implemented' } },
  { name: 'malformed HSTS', behaviour: { hsts: 'includeSubDomains' }, expect: { hsts: 'fail:hsts-header-invalid' } },
  {
    name: 'HSTS over plain HTTP',
    behaviour: { hstsOverHttp: true, cookies: [] },
    fixture: { tls: false },
    expect: { https: 'fail:http-only', hsts: 'fail:hsts-sent-over-http', redirection: 'fail:redirection-missing' },
  },
  // headers
  { name: 'no CSP', behaviour: { headers: without('content-security-policy') }, expect: { csp: 'fail:csp-not-implemented' } },
  { name: "CSP with 'unsafe-inline' scripts", behaviour: { headers: { ...STRONG_HEADERS, 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'" } }, expect: { csp: 'fail:csp-implemented-with-unsafe-inline' } },
  { name: "CSP with 'unsafe-inline' styles", behaviour: { headers: { ...STRONG_HEADERS, 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'" } }, expect: { csp: 'warn:csp-implemented-with-unsafe-inline-in-style-src-only' } },
  { name: 'no framing protection', behaviour: { headers: { ...without('x-frame-options'), 'content-security-policy': "default-src 'none'" } }, expect: { 'x-frame-options': 'fail:x-frame-options-not-implemented' } },
  { name: 'no nosniff', behaviour: { headers: without('x-content-type-options') }, expect: { 'x-content-type-options': 'fail:x-content-type-options-not-implemented' } },
  { name: 'unsafe referrer policy', behaviour: { headers: { ...STRONG_HEADERS, 'referrer-policy': 'unsafe-url' } }, expect: { 'referrer-policy': 'warn:referrer-policy-unsafe' } },
  { name: 'no CORP', behaviour: { headers: without('cross-origin-resource-policy') }, expect: { corp: 'warn:corp-not-implemented' } },
  { name: 'no COOP', behaviour: { headers: without('cross-origin-opener-policy') }, expect: { coop: 'warn:coop-not-implemented' } },
  { name: 'no COEP', behaviour: { headers: without('cross-origin-embedder-policy') }, expect: { coep: 'info:coep-not-implemented' } },
  { name: 'invalid COEP', behaviour: { headers: { ...STRONG_HEADERS, 'cross-origin-embedder-policy': 'require-everything' } }, expect: { coep: 'warn:coep-header-invalid' } },
  { name: 'no Permissions-Policy', behaviour: { headers: without('permissions-policy') }, expect: { 'permissions-policy': 'warn:permissions-policy-not-implemented' } },
  {
    name: 'third-party script without SRI over HTTP',
    behaviour: { html: '<!doctype html><script src="http://cdn.example.test/lib.js"></script>' },
    expect: { sri: 'fail:sri-not-implemented-and-external-scripts-not-loaded-securely' },
  },
  // leaks
  { name: 'X-Powered-By', behaviour: { extraHeaders: { 'x-powered-by': 'Express' } }, expect: { 'x-powered-by': 'fail:x-powered-by-present' } },
  { name: 'versioned Server', behaviour: { extraHeaders: { server: 'nginx/1.22.1' } }, expect: { 'server-version': 'fail:server-version-present' } },
  { name: 'backend host header', behaviour: { extraHeaders: { 'x-backend-server': 'app-03.internal' } }, expect: { 'leaky-headers': 'fail:leaky-headers-present' } },
  // error pages
  { name: '404 with a stack trace', behaviour: { notFound: 'stack' }, expect: { 'error-not-found': 'fail:stack-trace-disclosed', 'problem-json': 'warn:problem-json-partial' } },
  { name: '404 with a file path', behaviour: { notFound: 'path' }, expect: { 'error-not-found': 'fail:file-path-disclosed', 'problem-json': 'warn:problem-json-partial' } },
  { name: '404 naming the framework', behaviour: { notFound: 'framework' }, expect: { 'error-not-found': 'fail:framework-disclosed', 'problem-json': 'warn:problem-json-partial' } },
  { name: '500 for an unknown path', behaviour: { notFound: '500' }, expect: { 'error-not-found': 'fail:server-error-where-client-error-due', 'problem-json': 'warn:problem-json-partial' } },
  { name: 'soft 404', behaviour: { notFound: 'soft-200' }, expect: { 'error-not-found': 'warn:not-found-soft-404' } },
  { name: 'malformed JSON shows the stack', behaviour: { malformedJson: 'stack' }, expect: { 'error-malformed-json': 'fail:stack-trace-disclosed', 'problem-json': 'warn:problem-json-partial' } },
  { name: 'malformed JSON answers 500', behaviour: { malformedJson: '500' }, expect: { 'error-malformed-json': 'fail:server-error-where-client-error-due', 'problem-json': 'warn:problem-json-partial' } },
  { name: 'malformed JSON accepted', behaviour: { malformedJson: 'accept' }, expect: { 'error-malformed-json': 'warn:malformed-json-accepted' } },
  { name: 'no body limit', behaviour: { bodyLimit: false }, expect: { 'error-oversized-body': 'warn:oversized-body-accepted' } },
  { name: 'PROPFIND answers 500', behaviour: { unsupportedMethod: '500' }, expect: { 'error-unsupported-method': 'fail:server-error-where-client-error-due', 'problem-json': 'warn:problem-json-partial' } },
  { name: 'TRACE echoes', behaviour: { trace: 'echo' }, expect: { 'error-trace': 'fail:trace-echoes-request' } },
  // cookies
  { name: 'cookie without Secure', behaviour: { cookies: ['__Host-session=x; HttpOnly; SameSite=Lax; Path=/', 'theme=dark; SameSite=Lax'] }, expect: { 'cookie-secure': 'fail:cookies-without-secure', 'cookie-host-prefix': 'fail:host-prefix-invalid' } },
  { name: 'session cookie readable by scripts', behaviour: { cookies: ['__Host-session=x; Secure; SameSite=Lax; Path=/'] }, expect: { 'cookie-httponly': 'fail:session-cookie-without-httponly' } },
  { name: 'session cookie without SameSite', behaviour: { cookies: ['__Host-session=x; Secure; HttpOnly; Path=/'] }, expect: { 'cookie-samesite': 'fail:session-cookie-without-samesite' } },
  { name: 'SameSite=None without Secure', behaviour: { cookies: ['__Host-session=x; Secure; HttpOnly; SameSite=Lax; Path=/', 'widget=1; SameSite=None'] }, expect: { 'cookie-secure': 'fail:cookies-without-secure', 'cookie-samesite': 'fail:cookies-samesite-invalid' } },
  { name: 'session cookie without __Host-', behaviour: { cookies: ['session=x; Secure; HttpOnly; SameSite=Lax; Path=/'] }, expect: { 'cookie-host-prefix': 'warn:session-cookie-without-host-prefix' } },
  // CORS
  { name: 'CORS reflects any origin with credentials', behaviour: { cors: 'reflect-credentials' }, expect: { cors: 'fail:cors-reflects-origin-with-credentials' } },
  { name: 'CORS trusts null with credentials', behaviour: { cors: 'null-credentials' }, expect: { cors: 'fail:cors-null-origin-with-credentials' } },
  { name: 'CORS * with credentials', behaviour: { cors: 'wildcard-credentials' }, expect: { cors: 'fail:cors-wildcard-with-credentials' } },
  { name: 'CORS reflects any origin without credentials', behaviour: { cors: 'reflect' }, expect: { cors: 'warn:cors-reflects-any-origin' } },
  // CSRF
  { name: 'no CSRF defence', behaviour: { csrf: 'none' }, expect: { csrf: 'fail:csrf-cross-site-post-accepted' } },
  // operations
  { name: 'no liveness endpoint', behaviour: { liveness: 'missing' }, expect: { 'health-liveness': 'warn:liveness-not-found' } },
  { name: 'health+json without a status', behaviour: { liveness: 'malformed' }, expect: { 'health-liveness': 'fail:health-json-malformed' } },
  { name: 'failing liveness', behaviour: { liveness: 'failing' }, expect: { 'health-liveness': 'fail:liveness-failing' } },
  { name: 'no readiness endpoint', behaviour: { readiness: 'missing' }, expect: { 'health-readiness': 'warn:readiness-not-found' } },
  { name: 'not ready', behaviour: { readiness: 'not-ready' }, expect: { 'health-readiness': 'warn:readiness-failing' } },
  { name: 'public metrics', behaviour: { metrics: 'public' }, expect: { 'metrics-public': 'fail:metrics-exposed' } },
  { name: 'no request id', behaviour: { requestId: 'none' }, expect: { 'request-id': 'warn:request-id-missing' } },
  { name: 'request id not echoed', behaviour: { requestId: 'generate' }, expect: { 'request-id': 'info:request-id-generated-only' } },
  { name: 'errors as plain text', behaviour: { problemJson: false }, expect: { 'problem-json': 'warn:problem-json-missing' } },
  // rate limiting
  { name: 'no rate limit', behaviour: { rateLimit: false }, expect: { 'rate-limit': 'fail:rate-limit-not-enforced' } },
  { name: '429 without Retry-After', behaviour: { rateLimit: { limit: 3, headers: 'ietf', retryAfter: false } }, expect: { 'rate-limit': 'fail:rate-limit-without-retry-after' } },
  { name: '429 without RateLimit headers', behaviour: { rateLimit: { limit: 3, headers: 'none', retryAfter: true } }, expect: { 'rate-limit': 'warn:rate-limit-without-headers' } },
  { name: '429 with legacy headers only', behaviour: { rateLimit: { limit: 3, headers: 'legacy', retryAfter: true } }, expect: { 'rate-limit': 'warn:rate-limit-legacy-headers' } },
];

describe('every check on a bare node:http service', () => {
  it('the strong fixture over TLS passes every check: A+, 135', async () => {
    const report = await audit({});
    assert.deepEqual(problems(report), {});
    assert.deepEqual(
      report.findings.filter((item) => item.outcome === 'skip').map((item) => `${item.id}:${item.result}`),
      ['sri:sri-not-implemented-response-not-html'],
    );
    assert.equal(report.observatory.score, 135);
    assert.equal(report.observatory.grade, 'A+');
    assert.equal(report.exitCode, 0);
    assert.ok(report.requestsSent <= report.maxRequests);
  });

  it('the strong fixture serving HTML with same-origin scripts passes SRI', async () => {
    const report = await audit({ html: '<!doctype html><title>x</title><script src="/app.js"></script>' });
    assert.equal(report.findings.find((item) => item.id === 'sri')?.result, 'sri-not-implemented-but-all-scripts-loaded-from-secure-origin');
    assert.deepEqual(problems(report), {});
  });

  for (const { name, behaviour, fixture, expect } of CASES) {
    it(`${name}: ${Object.keys(expect).join(', ')}`, async () => {
      assert.deepEqual(problems(await audit(behaviour, fixture ?? { tls: true })), expect);
    });
  }

  it('a 503 while shedding load is inconclusive, not a server error where a 4xx is due', async () => {
    const shedding = createServer((_request, response) => void response.writeHead(503, { 'retry-after': '10', 'content-type': 'application/problem+json' }).end('{"status":503,"title":"Service Unavailable"}'));
    const port = await listen(shedding);
    try {
      const report = await runAudit({ url: `http://127.0.0.1:${port}/`, csrfPaths: ['/login'] });
      const errorPages = report.findings.filter((item) => item.category === 'errors').map((item) => `${item.outcome}:${item.result}`);
      assert.deepEqual(errorPages, Array(5).fill('warn:service-unavailable'));
      assert.equal(report.findings.find((item) => item.id === 'csrf')?.result, 'csrf-inconclusive');
    } finally {
      await close(shedding);
    }
  });

  it('an untrusted certificate audited with --insecure fails https, HSTS and redirection', async () => {
    const server = await startNodeFixture({}, { tls: true });
    try {
      const report = await runAudit({ url: server.url, insecure: true, ...(server.httpPort === undefined ? {} : { httpPort: server.httpPort }) });
      const transport = Object.fromEntries(report.findings.filter((item) => item.category === 'transport').map((item) => [item.id, `${item.outcome}:${item.result}`]));
      assert.deepEqual(transport, { https: 'fail:https-invalid-cert', hsts: 'fail:hsts-invalid-cert', redirection: 'fail:redirection-invalid-cert' });
      // −20 HSTS and −20 redirection: 60, and no bonus.
      assert.equal(report.observatory.score, 60);
    } finally {
      await server.close();
    }
  });

  it('never copies the session or token it was given into the report, even when TRACE echoes it', async () => {
    const server = await startNodeFixture({ trace: 'echo', notFound: 'stack' });
    try {
      const report = await runAudit({ url: server.url, headers: { cookie: '__Host-session=s3ss10n-v4lue-2718', authorization: 'Bearer t0ken-31415926' } });
      const trace = report.findings.find((item) => item.id === 'error-trace');
      assert.equal(trace?.result, 'trace-echoes-request');
      const text = JSON.stringify(report);
      assert.doesNotMatch(text, /s3ss10n-v4lue-2718|t0ken-31415926/);
      assert.match(trace?.evidence[0]?.detail ?? '', /cookie: \[redacted\] authorization: \[redacted\]/);
    } finally {
      await server.close();
    }
  });

  it('covers every check in the catalog with a failing case', async () => {
    const covered = new Set(CASES.flatMap((item) => Object.keys(item.expect)));
    assert.deepEqual(CHECK_IDS.filter((id) => !covered.has(id)), []);
  });
});
