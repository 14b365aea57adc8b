import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { NginxConfig } from '../../../src/deploy/nginx.js';
import { DEFAULT_DRAIN_SECONDS, DEFAULT_SHUTDOWN_DELAY_SECONDS } from '../../../src/deploy/systemd.js';
import { Client, generatedNginx, plainGet, productionEnv, ServiceInstance, startLoad, waitFor } from './stack.js';
import type { Nginx } from './stack.js';
import { makeTestPki, type TestPki } from './tls.js';
import { onPath, requireTool } from './tools.js';

/**
 * The deploy kit end to end: Debian's nginx with a generated config and a
 * certificate from a CA made here, in front of two production instances of
 * the reference service configured with the trustProxy the generator printed.
 * Everything listens on 127.0.0.1; the client connects from 127.0.0.2 so the
 * address Rampart logs can be told apart from nginx's.
 */
const root = new URL('../../../', import.meta.url).pathname;
const CLIENT_IP = '127.0.0.2';
/** Short, so a restarted instance is back in rotation quickly; the runbook uses the default 10 s. */
const FAIL_TIMEOUT_SECONDS = 2;

let dir: string;
let pki: TestPki;
let nginx: Nginx | undefined;
let config: NginxConfig;
let httpPort: number;
let httpsPort: number;
let instances: ServiceInstance[] = [];
let client: Client;
let available = false;

before(async () => {
  if (!onPath('nginx') || !onPath('openssl')) return; // each test below reports the skip
  dir = mkdtempSync(join(tmpdir(), 'rampart-nginx-e2e-'));
  pki = makeTestPki(dir);
  let upstreamPorts: number[];
  ({ nginx, config, httpPort, httpsPort, upstreamPorts } = await generatedNginx(dir, pki, 2, FAIL_TIMEOUT_SECONDS));
  const data = join(dir, 'data');
  mkdirSync(data);
  // The instances get exactly the setting the generator printed, through the environment.
  instances = upstreamPorts.map((port, i) => new ServiceInstance(`instance-${i + 1}`, port, productionEnv(data, `instance-${i + 1}`, config.trust.env)));
  await Promise.all(instances.map((instance) => instance.start()));
  const checked = nginx.test();
  assert.ok(checked.ok, checked.output);
  await nginx.start(httpsPort);
  client = new Client(pki.ca, httpsPort);
  available = true;
});

after(async () => {
  client?.close();
  await nginx?.stop();
  await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});


function ready(t: TestContext): boolean {
  if (!requireTool(t, 'nginx', 'nginx') || !requireTool(t, 'openssl', 'openssl')) return false;
  assert.ok(available, 'the stack did not start');
  return true;
}

/** The access-log line Rampart wrote for a request id, on whichever instance served it. */
async function loggedFor(requestId: string): Promise<Record<string, unknown>> {
  let line: Record<string, unknown> | undefined;
  await waitFor(`the access line for ${requestId}`, () => {
    line = instances.flatMap((instance) => instance.accessLines()).find((entry) => entry['reqId'] === requestId);
    return line !== undefined;
  }, 5000);
  return line as Record<string, unknown>;
}

describe('nginx in front of two reference-service instances', () => {
  it('passes nginx -t and prints the trustProxy the instances run with', (t) => {
    if (!ready(t)) return;
    assert.deepEqual(config.trust.trustProxy, ['loopback']);
    assert.ok((nginx as Nginx).test().ok);
  });

  it('redirects plain HTTP to HTTPS, keeping path and query', async (t) => {
    if (!ready(t)) return;
    const response = await plainGet(httpPort, '/api/echo?message=hi', { host: `localhost:${httpPort}` });
    assert.equal(response.status, 301);
    assert.equal(response.headers['location'], `https://localhost:${httpsPort}/api/echo?message=hi`);
    const unknownHost = await plainGet(httpPort, '/', { host: 'evil.example' });
    assert.equal(unknownHost.status, 0, 'a host we do not serve gets its connection closed (444)');
  });

  it('answers over TLS with exactly one HSTS header and no nginx version', async (t) => {
    if (!ready(t)) return;
    const response = await client.get('/');
    assert.equal(response.status, 200);
    const hsts = response.rawHeaders.filter((_, i) => i % 2 === 0 && response.rawHeaders[i]?.toLowerCase() === 'strict-transport-security');
    assert.equal(hsts.length, 1);
    assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(response.headers['server'], 'nginx');
    assert.equal(response.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; form-action 'none'", "Rampart's headers pass through");
  });

  it("logs the client's address, not nginx's, and keeps the request id end to end", async (t) => {
    if (!ready(t)) return;
    const requestId = `e2e-${randomUUID()}`;
    const response = await client.get('/api/echo?message=who', { 'x-request-id': requestId });
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-request-id'], requestId);
    const line = await loggedFor(requestId);
    assert.equal(line['ip'], CLIENT_IP);
    await waitFor('nginx to log the request', () => readFileSync(join((nginx as Nginx).prefix, 'access.log'), 'utf8').includes(requestId), 5000);
  });

  it('never believes a client-supplied X-Forwarded-For, Forwarded or X-Real-IP', async (t) => {
    if (!ready(t)) return;
    for (const spoof of [{ 'x-forwarded-for': '6.6.6.6' }, { 'x-forwarded-for': '6.6.6.6, 127.0.0.1' }, { forwarded: 'for=6.6.6.6;proto=https' }, { 'x-real-ip': '6.6.6.6' }]) {
      const requestId = `spoof-${randomUUID()}`;
      const response = await client.get('/api/echo?message=spoof', { ...spoof, 'x-request-id': requestId });
      assert.equal(response.status, 200);
      assert.equal((await loggedFor(requestId))['ip'], CLIENT_IP, JSON.stringify(spoof));
    }
  });

  it("answers nginx's own rejections as problem+json, and keeps /metrics off the edge", async (t) => {
    if (!ready(t)) return;
    const tooLarge = await client.get('/api/echo', { 'content-type': 'application/json' }, 'POST', Buffer.alloc(2 * 1024 * 1024, 'a'));
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.headers['content-type'], 'application/problem+json');
    const document = JSON.parse(tooLarge.body) as Record<string, unknown>;
    assert.equal(document['code'], 'PAYLOAD_TOO_LARGE');
    assert.equal(document['requestId'], tooLarge.headers['x-request-id']);
    const metrics = await client.get('/metrics');
    assert.equal(metrics.status, 404);
    assert.equal((JSON.parse(metrics.body) as Record<string, unknown>)['code'], 'NOT_FOUND');
  });

  it('grades A+ with rampart audit, trusting the test CA', async (t) => {
    if (!ready(t)) return;
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', join(root, 'src/cli/main.ts'), 'audit', `https://localhost:${httpsPort}/`, '--ca', pki.caFile, '--http-port', String(httpPort), '--json', '--quiet', '--no-color'],
        { cwd: root, maxBuffer: 16 * 1024 * 1024 },
        (error, out, err) => resolve({ code: error === null ? 0 : Number(error.code), stdout: out, stderr: err }),
      );
    });
    assert.notEqual(code, 3, `the audit could not run: ${stderr}`);
    const report = JSON.parse(stdout) as { observatory: { grade: string; score: number }; findings: { id: string; outcome: string; result: string }[] };
    const failed = report.findings.filter((finding) => finding.outcome === 'fail').map((finding) => `${finding.id}: ${finding.result}`);
    assert.equal(report.observatory.grade, 'A+', `score ${report.observatory.score}; failed: ${failed.join(', ')}`);
    assert.deepEqual(failed, []);
  });

  it('rolling restart under load: every instance restarted in turn, zero failed requests', async (t) => {
    if (!ready(t)) return;
    const load = startLoad(new Client(pki.ca, httpsPort, { keepAlive: true }), (n) => `/api/echo?message=load-${n}`, { concurrency: 3, maxRequests: 20_000, maxMs: 90_000, pauseMs: 5 });
    try {
      await waitFor('load to start', () => load.sent > 50, 10_000);
      for (const instance of instances) {
        const code = await instance.stop('SIGTERM');
        assert.equal(code, 0, `${instance.name} exits cleanly after draining`);
        // The shutdown the systemd unit's TimeoutStopSec and the Kubernetes grace period are sized for.
        const started = instance.lines.findLast((line) => line['msg'] === 'shutdown started: readiness now fails');
        assert.deepEqual([started?.['delayMs'], started?.['drainTimeoutMs']], [DEFAULT_SHUTDOWN_DELAY_SECONDS * 1000, DEFAULT_DRAIN_SECONDS * 1000]);
        const mark = instance.lines.length;
        await instance.start();
        // Back in rotation: nginx sends it load again (after fail_timeout) before the next one stops.
        await waitFor(`${instance.name} to serve traffic through nginx again`, () => instance.accessLines(mark).some((line) => line['ip'] === CLIENT_IP), 15_000);
      }
    } finally {
      const result = await load.stop();
      assert.deepEqual(result.failures.slice(0, 10), [], `${result.failures.length} of ${result.ok + result.failures.length} requests failed`);
      assert.ok(result.ok > 200, `only ${result.ok} requests completed`);
    }
  });

  it('keeps answering through the other instance when one stops, and says 503 when none is left', async (t) => {
    if (!ready(t)) return;
    const [first, second] = instances as [ServiceInstance, ServiceInstance];
    await first.stop('SIGKILL');
    const mark = second.lines.length;
    for (let i = 0; i < 20; i++) {
      const response = await client.get(`/api/echo?message=failover-${i}`);
      assert.equal(response.status, 200, `request ${i} after one instance died`);
    }
    await waitFor('the survivor to log all 20 requests', () => second.accessLines(mark).length === 20, 5000);

    await second.stop('SIGKILL');
    const down = await client.get('/api/echo?message=down');
    assert.equal(down.status, 503);
    const problem = JSON.parse(down.body) as Record<string, unknown>;
    assert.equal(problem['code'], 'SERVICE_UNAVAILABLE');
    assert.equal(down.headers['retry-after'], '5');
    assert.equal(problem['requestId'], down.headers['x-request-id']);
  });
});
