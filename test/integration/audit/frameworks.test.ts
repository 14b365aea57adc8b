import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAudit, type AuditReport } from 'rampart/audit';
import { startExpress, type ExpressFixture } from '../../fixtures/audit/express-apps.js';
import { WEAK, startNodeFixture } from '../../fixtures/audit/node-server.js';
import { testTls } from '../../fixtures/audit/tls.js';

/** Whole services as teams ship them, with the exact findings, score and grade each earns. */

function problems(report: AuditReport): Record<string, string> {
  return Object.fromEntries(report.findings.filter((item) => item.outcome !== 'pass' && item.outcome !== 'skip').map((item) => [item.id, `${item.outcome}:${item.result}`]));
}

async function auditExpress(fixture: ExpressFixture): Promise<AuditReport> {
  const server = await startExpress(fixture);
  try {
    return await runAudit({ url: server.url, ...(fixture.tls === true ? { ca: (await testTls()).ca } : {}), ...(server.httpPort === undefined ? {} : { httpPort: server.httpPort }) });
  } finally {
    await server.close();
  }
}

/** What helmet leaves to the application; identical with and without its CSP. */
const HELMET_LEAVES = {
  'error-not-found': 'fail:framework-disclosed',
  'error-unsupported-method': 'fail:framework-disclosed',
  'error-trace': 'fail:framework-disclosed',
  'permissions-policy': 'warn:permissions-policy-not-implemented',
  'health-liveness': 'warn:liveness-not-found',
  'health-readiness': 'warn:readiness-not-found',
  'request-id': 'warn:request-id-missing',
  'problem-json': 'warn:problem-json-missing',
  coep: 'info:coep-not-implemented',
};

describe('bare and helmet-hardened services', () => {
  it('bare Express in development over HTTP: 10, F; stack traces in its error pages', async () => {
    const report = await auditExpress({ env: 'development' });
    // −25 CSP, −20 HSTS (no HTTPS), −20 redirection, −5 nosniff, −20 framing = 10.
    assert.equal(report.observatory.score, 10);
    assert.equal(report.observatory.grade, 'F');
    assert.deepEqual(problems(report), {
      https: 'fail:http-only',
      hsts: 'fail:hsts-not-implemented-no-https',
      redirection: 'fail:redirection-missing',
      csp: 'fail:csp-not-implemented',
      'x-frame-options': 'fail:x-frame-options-not-implemented',
      'error-malformed-json': 'fail:stack-trace-disclosed',
      'error-oversized-body': 'fail:stack-trace-disclosed',
      'x-content-type-options': 'fail:x-content-type-options-not-implemented',
      'x-powered-by': 'fail:x-powered-by-present',
      'error-not-found': 'fail:framework-disclosed',
      'error-unsupported-method': 'fail:framework-disclosed',
      'error-trace': 'fail:framework-disclosed',
      'referrer-policy': 'warn:referrer-policy-not-implemented',
      corp: 'warn:corp-not-implemented',
      coop: 'warn:coop-not-implemented',
      'permissions-policy': 'warn:permissions-policy-not-implemented',
      'health-liveness': 'warn:liveness-not-found',
      'health-readiness': 'warn:readiness-not-found',
      'request-id': 'warn:request-id-missing',
      'problem-json': 'warn:problem-json-missing',
      coep: 'info:coep-not-implemented',
    });
    assert.deepEqual(report.needsTls, ['https', 'hsts', 'redirection']);
    assert.equal(report.exitCode, 1);
  });

  it('Express + helmet defaults in production over HTTPS: 120, A+; its CSP allows inline styles', async () => {
    const report = await auditExpress({ env: 'production', helmet: {}, tls: true });
    assert.equal(report.observatory.score, 120);
    assert.equal(report.observatory.grade, 'A+');
    assert.deepEqual(problems(report), { csp: 'warn:csp-implemented-with-unsafe-inline-in-style-src-only', ...HELMET_LEAVES });
  });

  it('Express + helmet without its CSP: 75, B', async () => {
    const report = await auditExpress({ env: 'production', helmet: { contentSecurityPolicy: false }, tls: true });
    assert.equal(report.observatory.score, 75);
    assert.equal(report.observatory.grade, 'B');
    assert.deepEqual(problems(report), { csp: 'fail:csp-not-implemented', ...HELMET_LEAVES });
  });

  it('a service nobody hardened, over HTTP: 0, F, and every category fails', async () => {
    const server = await startNodeFixture(WEAK);
    try {
      const report = await runAudit({ url: server.url, csrfPaths: ['/login'], rateLimit: { path: '/limited', requests: 10 } });
      assert.equal(report.observatory.score, 0);
      assert.equal(report.observatory.grade, 'F');
      assert.deepEqual(new Set(report.findings.filter((item) => item.outcome === 'fail').map((item) => item.category)), new Set(['transport', 'headers', 'leaks', 'errors', 'cookies', 'cors', 'csrf', 'operations', 'rate-limit']));
      // Plain HTTP does not explain this grade away: with TLS the same headers would still score 0.
      assert.deepEqual(report.observatory.withTls, { score: 0, grade: 'F' });
    } finally {
      await server.close();
    }
  });
});
