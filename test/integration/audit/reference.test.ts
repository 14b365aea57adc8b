import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderReport, runAudit, type AuditOptions, type AuditReport } from 'rampart/audit';
import { startReference, type ReferenceFixture } from '../../fixtures/audit/reference.js';
import { testTls } from '../../fixtures/audit/tls.js';

/** The reference service (`npm start`), audited as its operators would. */

function problems(report: AuditReport): Record<string, string> {
  return Object.fromEntries(report.findings.filter((item) => item.outcome !== 'pass' && item.outcome !== 'skip').map((item) => [item.id, `${item.outcome}:${item.result}`]));
}

async function auditReference(fixture: ReferenceFixture, options: Partial<AuditOptions> = {}): Promise<AuditReport> {
  // Production sheds load when this process' event loop stalls for a second; on a busy shared CI
  // host that turns probes into 503s (reported as inconclusive). The audit, not the host, is under test.
  const service = await startReference({ ...fixture, rampart: { overload: false, ...fixture.rampart } });
  try {
    return await runAudit({
      url: service.url,
      ...(fixture.tls === true ? { ca: (await testTls()).ca } : {}),
      ...(service.httpPort === undefined ? {} : { httpPort: service.httpPort }),
      ...options,
    });
  } finally {
    await service.close();
  }
}

describe('the reference service', () => {
  it('in production over TLS: A+ with no failed checks and no warnings', async () => {
    // A cross-site form post carrying a session cookie, as a forged request from another site would.
    const report = await auditReference({ profile: 'production', tls: true }, { csrfPaths: ['/api/echo'], headers: { cookie: 'session=victim' } });
    assert.equal(report.observatory.grade, 'A+');
    assert.equal(report.observatory.score, 130);
    assert.deepEqual(problems(report), {
      coep: 'info:coep-not-implemented',
      // With a session cookie and no CSRF token, Rampart refuses the JSON probe before parsing it: reported, not failed.
      'error-malformed-json': 'info:malformed-json-not-exercised',
    });
    assert.equal(report.findings.find((item) => item.id === 'csrf')?.result, 'csrf-cross-site-post-rejected');
    assert.equal(report.summary.fail, 0);
    assert.equal(report.exitCode, 0);
  });

  it('in production with a rate-limit rule: the audit sees the 429, Retry-After and RateLimit fields', async () => {
    const report = await auditReference(
      { profile: 'production', tls: true, rampart: { rateLimit: { rules: [{ name: 'echo', limit: 5, window: '1m', paths: '/api/echo' }] } } },
      { rateLimit: { path: '/api/echo?message=hello', requests: 20 } },
    );
    const finding = report.findings.find((item) => item.id === 'rate-limit');
    assert.equal(finding?.outcome, 'pass');
    assert.equal(finding?.result, 'rate-limit-enforced');
    assert.match(finding?.evidence[0]?.detail ?? '', /retry-after: \d+/);
    assert.match(finding?.evidence[0]?.detail ?? '', /ratelimit-policy: "echo";q=5;w=60/);
    assert.equal(report.summary.fail, 0);
  });

  it('in development over plain HTTP: the report says exactly which checks need TLS', async () => {
    const report = await auditReference({ profile: 'development' });
    // −20 HSTS (no HTTPS) and −20 redirection: 60; bonuses need 90.
    assert.equal(report.observatory.score, 60);
    assert.equal(report.observatory.grade, 'C+');
    assert.deepEqual(report.observatory.withTls, { score: 130, grade: 'A+' });
    assert.deepEqual(report.needsTls, ['https', 'hsts', 'redirection']);
    assert.deepEqual(problems(report), {
      https: 'fail:http-only',
      hsts: 'fail:hsts-not-implemented-no-https',
      redirection: 'fail:redirection-missing',
      // The development profile serves /metrics to anyone; production puts it behind admin.token.
      'metrics-public': 'fail:metrics-exposed',
      coep: 'info:coep-not-implemented',
    });
    const text = renderReport(report);
    assert.match(text, /These checks need TLS and cannot pass until the service answers over HTTPS: https, hsts, redirection\./);
    assert.match(text, /Score lost to plain HTTP: redirection -20, strict-transport-security -20\./);
    assert.match(text, /the same headers would score 130 \(A\+\)/);
  });
});
