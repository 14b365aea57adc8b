import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';
import { freePort, waitUntil } from '../../support/free-port.js';

const TOKEN = 'prometheus-scrape-token-0123456789abcdef';

function requireTool(t: TestContext, tool: string): boolean {
  if (spawnSync('which', [tool]).status === 0) return true;
  const message = `${tool} is not installed (apt-get install -y prometheus; scripts/ci/ensure-services.sh does it)`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`\n!!! SKIPPED: ${message}\n`);
  t.skip(message);
  return false;
}

async function service() {
  const app = Fastify();
  await app.register(rampart, { profile: 'production', log: { destination: new LogCapture() }, admin: { token: TOKEN }, shutdown: { signals: [], handleUncaught: false }, health: { processChecks: false } });
  app.get('/hello/:name', async () => ({ hello: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  after(() => app.close());
  const signups = app.rampart.metrics?.counter({ name: 'notes_signups_total', help: 'Accounts created.', labelNames: ['plan'] });
  signups?.inc({ plan: 'free' }, 3);
  return { app, port: (app.server.address() as AddressInfo).port };
}

describe('metrics scraped by a real Prometheus', () => {
  it('promtool accepts the exposition', async (t) => {
    if (!requireTool(t, 'promtool')) return;
    const { app } = await service();
    await app.inject({ url: '/hello/ada' });
    await app.inject({ url: '/nope' });
    const scrape = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(scrape.statusCode, 200);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: scrape.body, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  });

  it('Prometheus scrapes /metrics with the bearer token and the series query back', async (t) => {
    if (!requireTool(t, 'prometheus')) return;
    const { app, port } = await service();
    for (let i = 0; i < 5; i++) await app.inject({ url: `/hello/user-${i}` });
    await app.inject({ url: '/missing-1' });
    await app.inject({ url: '/missing-2' });

    const dir = mkdtempSync(join(tmpdir(), 'rampart-prometheus-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global: { scrape_interval: 1s, scrape_timeout: 900ms }',
        'scrape_configs:',
        '  - job_name: rampart',
        `    authorization: { type: Bearer, credentials: ${TOKEN} }`,
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        '',
      ].join('\n'),
    );
    const webPort = await freePort();
    const prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    prometheus.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    after(() => {
      prometheus.kill('SIGKILL');
    });

    const query = async (expression: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const response = await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      assert.equal(body.status, 'success');
      return body.data.result;
    };
    const value = async (expression: string): Promise<number | undefined> => {
      const result = await query(expression).catch(() => []);
      return result[0] === undefined ? undefined : Number(result[0].value[1]);
    };

    await waitUntil(async () => (await value('up{job="rampart"}')) === 1, `a successful scrape (prometheus stderr: ${stderr})`, 30_000);
    assert.equal(await value('sum(http_server_request_duration_seconds_count{http_route="/hello/:name",http_request_method="GET",http_response_status_code="200"})'), 5);
    assert.equal(await value('sum(http_server_request_duration_seconds_count{http_route="UNMATCHED",http_response_status_code="404"})'), 2);
    assert.equal(await value('rampart_errors_total{code="NOT_FOUND"}'), 2);
    assert.equal(await value('rampart_ready'), 1);
    assert.equal(await value('rampart_shutdown_in_progress'), 0);
    assert.equal(await value('notes_signups_total{plan="free"}'), 3);
    assert.ok(((await value('process_resident_memory_bytes')) ?? 0) > 0);
    const p99 = await value('histogram_quantile(0.99, sum by (le) (http_server_request_duration_seconds_bucket))');
    assert.ok(p99 !== undefined && p99 > 0 && p99 <= 10, `p99 ${String(p99)}`);
    const routes = (await query('count by (http_route) (http_server_request_duration_seconds_count)')).map((series) => series.metric['http_route']);
    assert.ok(!routes.some((route) => route?.startsWith('/hello/user')), 'no raw paths became series');
  });
});
