import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHECK_IDS } from 'rampart/audit';
import { STRONG_HEADERS, WEAK, startNodeFixture, type RunningFixture } from '../../fixtures/audit/node-server.js';
import { testTls } from '../../fixtures/audit/tls.js';

/** `rampart audit` as CI runs it: a child process, its exit code, its outputs. */

const root = new URL('../../../', import.meta.url).pathname;
const main = join(root, 'src/cli/main.ts');
/** Absolute, so the CLI also runs from a temp directory holding a configuration file. */
const tsx = import.meta.resolve('tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function rampart(args: readonly string[], cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', '--import', tsx, main, 'audit', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), 'rampart-audit-cli-'));
let strong: RunningFixture;
let weak: RunningFixture;
let warnOnly: RunningFixture;
let tlsArgs: string[];

before(async () => {
  [strong, weak, warnOnly] = await Promise.all([
    startNodeFixture({}, { tls: true }),
    startNodeFixture(WEAK),
    startNodeFixture({ headers: { ...STRONG_HEADERS, 'referrer-policy': 'unsafe-url' } }, { tls: true }),
  ]);
  tlsArgs = ['--ca', (await testTls()).caFile];
});
after(() => Promise.all([strong.close(), weak.close(), warnOnly.close()]));

describe('rampart audit (CLI)', () => {
  it('exits 0 for a clean service, prints the banner and progress on stderr, and writes HTML and SARIF', async () => {
    const html = join(work, 'report.html');
    const sarif = join(work, 'report.sarif');
    const run = await rampart([strong.url, ...tlsArgs, '--http-port', String(strong.httpPort), '--csrf-path', '/login', '--rate-limit', '/limited', '--rate-limit-requests', '10', '--html', html, '--sarif', sarif]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Sends at most \d+ requests, to 127\.0\.0\.1 only/);
    assert.match(run.stderr, /\[ *1\/\d+\] start +GET +\/ +200/);
    assert.match(run.stdout, /Grade A\+ {2}score 135/);
    assert.match(run.stdout, /Result: PASS \(exit 0\)/);
    assert.match(readFileSync(html, 'utf8'), /<div class="grade g-A"[^>]*>A\+<\/div>/);
    const log = JSON.parse(readFileSync(sarif, 'utf8')) as { version: string; runs: { tool: { driver: { rules: { id: string }[] } }; results: unknown[] }[] };
    assert.equal(log.version, '2.1.0');
    assert.deepEqual(log.runs[0]?.tool.driver.rules.map((rule) => rule.id), [...CHECK_IDS]);
    assert.deepEqual(log.runs[0]?.results, []);
  });

  it('exits 1 when a check fails, failed checks first with their fixes; --json keeps stdout parseable', async () => {
    const text = await rampart([weak.url, '--quiet']);
    assert.equal(text.code, 1);
    assert.equal(text.stderr, '');
    const failed = text.stdout.indexOf('FAILED (');
    assert.ok(failed > 0 && failed < text.stdout.indexOf('WARNINGS ('), 'failures come before warnings');
    assert.match(text.stdout, /✗ cors .*\n.*trusts an unlisted Origin with credentials.*\n.*\n\s+fix: Answer CORS only for an explicit allowlist/);

    const json = await rampart([weak.url, '--json', '--csrf-path', '/login']);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { reportVersion: number; exitCode: number; observatory: { grade: string }; findings: { id: string; outcome: string; zap: number[] }[] };
    assert.equal(report.reportVersion, 1);
    assert.equal(report.exitCode, 1);
    assert.equal(report.observatory.grade, 'F');
    assert.deepEqual(report.findings.find((item) => item.id === 'csrf'), { ...report.findings.find((item) => item.id === 'csrf'), outcome: 'fail', zap: [20012, 10202] });
  });

  it('exits 2 when there are warnings only', async () => {
    const run = await rampart([warnOnly.url, ...tlsArgs, '--http-port', String(warnOnly.httpPort), '--quiet']);
    assert.equal(run.code, 2, run.stdout);
    assert.match(run.stdout, /! referrer-policy/);
    assert.match(run.stdout, /PASS WITH WARNINGS \(exit 2\)/);
  });

  it('applies --rule and --fail-under, and a configuration file with the same settings', async () => {
    const tlsOnly = ['https', 'hsts', 'redirection'];
    const plain = await startNodeFixture({ cookies: [] });
    try {
      const ruled = tlsOnly.flatMap((id) => ['--rule', `${id}=ignore`]);
      // Over plain HTTP the strong fixture scores 60 (C+): TLS penalties are not the configuration's to waive.
      assert.equal((await rampart([plain.url, '--quiet', ...ruled, '--fail-under', 'C'])).code, 0);
      const under = await rampart([plain.url, '--quiet', ...ruled, '--fail-under', 'B']);
      assert.equal(under.code, 1);
      assert.match(under.stdout, /grade C\+ vs --fail-under B/);

      const dir = mkdtempSync(join(work, 'config-'));
      writeFileSync(join(dir, 'rampart-audit.json'), JSON.stringify({ url: plain.url, failUnder: 'B', rules: Object.fromEntries(tlsOnly.map((id) => [id, 'ignore'])) }));
      const configured = await rampart(['--quiet'], dir);
      assert.equal(configured.code, 1);
      assert.match(configured.stdout, /IGNORED by configuration \(3\)/);
      writeFileSync(join(dir, 'rampart-audit.json'), JSON.stringify({ url: plain.url, rulez: {} }));
      const typo = await rampart(['--quiet'], dir);
      assert.equal(typo.code, 3);
      assert.match(typo.stderr, /unknown setting "rulez"/);
    } finally {
      await plain.close();
    }
  });

  it('--dry-run prints the plan and sends nothing', async () => {
    const before = [...weak.hits.values()].reduce((sum, count) => sum + count, 0);
    const run = await rampart([weak.url, '--dry-run', '--rate-limit', '/limited']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /GET +\/limited +up to 60 requests, stopping at the first 429/);
    assert.match(run.stdout, /Dry run: nothing was sent\./);
    assert.equal([...weak.hits.values()].reduce((sum, count) => sum + count, 0), before);
  });

  it('exits 3 when the audit cannot run: unreachable, untrusted certificate, over budget, bad flags', async () => {
    // A port that accepts and hangs up at once (a freed port could be taken by a parallel test).
    const hangUp = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    const unreachable = await rampart([`http://127.0.0.1:${(hangUp.address() as AddressInfo).port}/`, '--quiet']);
    await new Promise((resolve) => hangUp.close(resolve));
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /cannot audit http:\/\/127\.0\.0\.1:\d+\/: (ECONNRESET|socket hang up)/);

    const untrusted = await rampart([strong.url, '--quiet']);
    assert.equal(untrusted.code, 3);
    assert.match(untrusted.stderr, /TLS certificate not trusted .*--ca <file>/);

    const budget = await rampart([weak.url, '--rate-limit', '/limited', '--max-requests', '40']);
    assert.equal(budget.code, 3);
    assert.match(budget.stderr, /the probes need up to \d+ requests but the budget is 40/);
    assert.deepEqual((await rampart([weak.url, '--rate-limit-requests', '5000', '--rate-limit', '/x'])).code, 3);
    assert.equal((await rampart(['--bogus'])).code, 3);
    assert.equal((await rampart([])).code, 3);
  });
});
