import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECK_IDS, finding } from '../../../src/audit/catalog.js';
import { toHtml } from '../../../src/audit/report/html.js';
import { toJson } from '../../../src/audit/report/json.js';
import { toSarif } from '../../../src/audit/report/sarif.js';
import { renderReport, style } from '../../../src/audit/report/text.js';
import type { AuditReport } from '../../../src/audit/types.js';

const findings = [
  finding('cors', { outcome: 'fail', result: 'cors-reflects-origin-with-credentials', summary: 'Reflected.', evidence: [{ request: 'GET /api', status: 200, detail: 'access-control-allow-origin: https://attacker.test' }] }),
  finding('referrer-policy', { outcome: 'warn', result: 'referrer-policy-unsafe', summary: 'Unsafe.', evidence: [{ request: 'GET /', status: 200 }] }),
  finding('coep', { outcome: 'info', result: 'coep-not-implemented', summary: 'None.' }),
  finding('csp', { outcome: 'pass', result: 'csp-implemented-with-no-unsafe', summary: 'Fine.' }),
  finding('rate-limit', { outcome: 'skip', result: 'rate-limit-not-probed', summary: 'Opt-in.' }),
];

const report: AuditReport = {
  tool: { name: 'rampart audit', version: '0.0.0' },
  target: 'https://svc.test/',
  startedAt: '2025-01-01T00:00:00.000Z',
  durationMs: 1234,
  requestsSent: 20,
  maxRequests: 30,
  plan: [{ name: 'start', method: 'GET', path: '/', maxRequests: 6, why: 'headers' }],
  observatory: { score: 50, grade: 'C', penaltyScore: 50, bonusesApplied: false, tests: [{ test: 'cross-origin-resource-sharing', result: 'cross-origin-resource-sharing-implemented-with-universal-access', modifier: -50, description: 'Bad.' }] },
  findings,
  summary: { fail: 1, warn: 1, info: 1, pass: 1, skip: 1, ignored: 0 },
  exitCode: 1,
  needsTls: [],
};

describe('report formats', () => {
  it('SARIF 2.1.0: every check a rule, every non-passing finding a result at its level', () => {
    const sarif = toSarif(report) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string; properties: { 'security-severity': string; tags: string[] } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; webRequest?: { method: string } }[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.ok(run);
    assert.deepEqual(run.tool.driver.rules.map((rule) => rule.id), [...CHECK_IDS]);
    assert.deepEqual(run.results.map((result) => [result.ruleId, result.level]), [['cors', 'error'], ['referrer-policy', 'warning'], ['coep', 'note']]);
    for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    assert.equal(run.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri, 'https://svc.test/api');
    assert.equal(run.results[0]?.webRequest?.method, 'GET');
    const cors = run.tool.driver.rules.find((rule) => rule.id === 'cors');
    assert.equal(cors?.properties['security-severity'], '8.0');
    assert.ok(cors?.properties.tags.includes('zap-10098'));
  });

  it('JSON carries a report version and round-trips', () => {
    const parsed = JSON.parse(toJson(report)) as AuditReport & { reportVersion: number };
    assert.equal(parsed.reportVersion, 1);
    assert.deepEqual({ ...parsed, reportVersion: undefined }, { ...report, reportVersion: undefined });
  });

  it('the terminal report lists failures first, each with evidence and its fix', () => {
    const text = renderReport(report, style(false));
    const order = ['FAILED (1)', 'WARNINGS (1)', 'ADVICE (1)', 'PASSED (1)', 'SKIPPED (1)'].map((heading) => text.indexOf(heading));
    assert.deepEqual([...order].sort((a, b) => a - b), order);
    assert.ok(order.every((index) => index > 0));
    assert.match(text, /✗ cors .*\n {6}Reflected\.\n {6}GET \/api → 200 {2}access-control-allow-origin: https:\/\/attacker\.test\n {6}fix: /);
    assert.match(text, /Result: FAIL \(exit 1\): 1 failed, 1 warnings, 1 advice, 1 passed, 1 skipped/);
    const ESC = String.fromCharCode(27);
    assert.ok(!text.includes(`${ESC}[`), 'no colour codes when colour is off');
    assert.ok(renderReport(report, style(true)).includes(`${ESC}[31m`));
  });

  it('HTML escapes what the target sent and renders the catalog\'s code spans', () => {
    const hostile = { ...report, target: 'https://svc.test/"><script>alert(1)</script>', findings: [finding('x-powered-by', { outcome: 'fail', result: 'x-powered-by-present', summary: 'X', evidence: [{ request: 'GET /', detail: 'x-powered-by: <script>alert(1)</script>' }] })] };
    const html = toHtml(hostile);
    assert.doesNotMatch(html, /<script>/);
    assert.match(html, /x-powered-by: &#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.match(html, /<code>X-Powered-By<\/code>/);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
  });
});
