import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { finding } from '../../../src/audit/catalog.js';
import { ConfigError, loadConfig } from '../../../src/audit/config.js';
import { AuditError, prepareAudit } from '../../../src/audit/engine.js';
import { resolveOptions } from '../../../src/audit/options.js';
import { applyRules, exitCodeOf, sortFindings, summarize } from '../../../src/audit/policy.js';

const fail = finding('metrics-public', { outcome: 'fail', result: 'metrics-exposed', summary: 'x' });
const warn = finding('permissions-policy', { outcome: 'warn', result: 'permissions-policy-not-implemented', summary: 'x' });
const info = finding('coep', { outcome: 'info', result: 'coep-not-implemented', summary: 'x' });
const pass = finding('csp', { outcome: 'pass', result: 'csp-implemented-with-no-unsafe', summary: 'x' });

describe('rules and exit codes (ZAP semantics)', () => {
  it('ignores, demotes or promotes by check id, and by ZAP rule id', () => {
    const ruled = applyRules([fail, warn, info, pass], { 'metrics-public': 'ignore', '10063': 'fail', coep: 'warn', csp: 'fail' });
    assert.deepEqual(
      ruled.map((item) => [item.id, item.outcome, item.configured]),
      [
        ['metrics-public', 'ignored', 'ignore'],
        ['permissions-policy', 'fail', 'fail'],
        ['coep', 'warn', 'warn'],
        ['csp', 'pass', undefined],
      ],
    );
  });

  it('a check id beats a ZAP id naming the same finding', () => {
    const [item] = applyRules([warn], { 'permissions-policy': 'ignore', '10063': 'fail' });
    assert.equal(item?.outcome, 'ignored');
  });

  it('exits 1 on a failure or a grade under the floor, 2 on warnings only, else 0', () => {
    assert.equal(exitCodeOf(summarize([pass, warn, fail]), 'A+', undefined), 1);
    assert.equal(exitCodeOf(summarize([pass, warn, info]), 'A+', undefined), 2);
    assert.equal(exitCodeOf(summarize([pass, info]), 'A+', undefined), 0);
    assert.equal(exitCodeOf(summarize([pass]), 'A', 'A+'), 1);
    assert.equal(exitCodeOf(summarize([pass]), 'A+', 'A'), 0);
  });

  it('puts failures first, worst risk first', () => {
    const high = finding('cors', { outcome: 'fail', result: 'x', summary: 'x' });
    assert.deepEqual(sortFindings([pass, info, warn, fail, high]).map((item) => item.id), ['cors', 'metrics-public', 'permissions-policy', 'coep', 'csp']);
  });
});

describe('audit options', () => {
  it('refuses other schemes, unknown rules and budgets above the caps', () => {
    assert.throws(() => resolveOptions({ url: 'ftp://example.test/' }), /RAMPART_INVALID_OPTION|Invalid option "url"/);
    assert.throws(() => resolveOptions({ url: 'not a url' }), /Invalid option "url"/);
    assert.throws(() => resolveOptions({ url: 'http://a.test/', rules: { 'no-such-check': 'fail' } }), /rules.no-such-check/);
    assert.throws(() => resolveOptions({ url: 'http://a.test/', rules: { csp: 'block' as never } }), /rules.csp/);
    assert.throws(() => resolveOptions({ url: 'http://a.test/', maxRequests: 2001 }), /maxRequests/);
    assert.throws(() => resolveOptions({ url: 'http://a.test/', rateLimit: { path: '/x', requests: 1001 } }), /rateLimit.requests/);
    assert.throws(() => resolveOptions({ url: 'http://a.test/', pages: ['http://elsewhere.test/'] }), /pages\[0\]/);
    assert.throws(() => resolveOptions({ url: 'http://a.test/', headers: { 'x-bad': 'a\r\nb' } }), /headers.x-bad/);
  });

  it('asks port 80 for the redirect only when HTTPS is on 443', () => {
    assert.equal(resolveOptions({ url: 'https://a.test/' }).httpOrigin?.href, 'http://a.test/');
    assert.equal(resolveOptions({ url: 'https://a.test:8443/' }).httpOrigin, undefined);
    assert.equal(resolveOptions({ url: 'https://a.test:8443/', httpPort: 8080 }).httpOrigin?.href, 'http://a.test:8080/');
  });

  it('refuses a plan the budget cannot cover before sending anything', () => {
    assert.throws(() => prepareAudit({ url: 'http://a.test/', maxRequests: 50, rateLimit: { path: '/login', requests: 60 } }), (error: unknown) => {
      assert.ok(error instanceof AuditError);
      assert.match(error.message, /need up to \d+ requests but the budget is 50/);
      return true;
    });
    const plan = prepareAudit({ url: 'http://a.test/', rateLimit: { path: '/login' } });
    assert.equal(plan.plan.find((probe) => probe.name === 'rate-limit')?.maxRequests, 60, 'default rate-limit probe is 60 requests');
  });
});

describe('configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-audit-config-'));
  const write = (name: string, value: unknown): string => {
    const file = join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  it('maps settings onto options, with secrets from the environment and the CA beside the file', () => {
    write('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const file = write('audit.json', {
      url: 'https://staging.test/',
      csrf: { paths: ['/login'] },
      rateLimit: { path: '/api/auth/login', method: 'POST', requests: 20 },
      health: { liveness: ['/livez'] },
      timeoutSeconds: 2.5,
      ca: 'ca.pem',
      headers: { Authorization: 'Bearer ${AUDIT_TOKEN}' },
      failUnder: 'A',
      rules: { 'metrics-public': 'ignore' },
    });
    const { options } = loadConfig(file, '/', { AUDIT_TOKEN: 't0ken' });
    assert.equal(options.url, 'https://staging.test/');
    assert.deepEqual(options.csrfPaths, ['/login']);
    assert.deepEqual(options.rateLimit, { path: '/api/auth/login', method: 'POST', requests: 20 });
    assert.deepEqual(options.livenessPaths, ['/livez']);
    assert.equal(options.timeoutMs, 2500);
    assert.match(String(options.ca), /BEGIN CERTIFICATE/);
    assert.deepEqual(options.headers, { Authorization: 'Bearer t0ken' });
    assert.equal(options.failUnder, 'A');
    assert.deepEqual(options.rules, { 'metrics-public': 'ignore' });
  });

  it('refuses unknown settings and unset variables, and is optional when not named', () => {
    assert.throws(() => loadConfig(write('typo.json', { url: 'http://a.test/', rule: {} }), '/'), (error: unknown) => error instanceof ConfigError && /unknown setting "rule"/.test(error.message));
    assert.throws(() => loadConfig(write('env.json', { headers: { Cookie: '${MISSING_VAR}' } }), '/', {}), /MISSING_VAR/);
    assert.throws(() => loadConfig(write('bad.json', '{ nope'), '/'), ConfigError);
    assert.deepEqual(loadConfig(undefined, dir), { options: {}, file: undefined });
  });
});
