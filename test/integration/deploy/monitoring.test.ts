import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort, plainGet, waitFor } from './stack.js';
import { requireTool } from './tools.js';

/**
 * The monitoring kit against real tools: promtool checks and unit-tests the
 * alert rules; a real Prometheus scrapes the reference service (production
 * profile, /metrics behind a bearer token) and RampartHighErrorRatio fires
 * from induced 5xx; every dashboard query parses in that Prometheus and names
 * only metrics the service exports.
 */
const root = new URL('../../../', import.meta.url).pathname;
const rulesFile = join(root, 'deploy/prometheus/rampart-alerts.yml');
const dashboard = JSON.parse(readFileSync(join(root, 'deploy/grafana/rampart-dashboard.json'), 'utf8')) as Dashboard;

interface Dashboard {
  readonly uid: string;
  readonly panels: readonly { readonly id: number; readonly type: string; readonly title: string; readonly targets?: readonly { readonly expr: string }[] }[];
  readonly templating: { readonly list: readonly { readonly name: string }[] };
}

const dir = mkdtempSync(join(tmpdir(), 'rampart-monitoring-'));
const children: ChildProcess[] = [];
after(async () => {
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) : undefined)));
  rmSync(dir, { recursive: true, force: true });
});

function promtool(...args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd: join(root, 'deploy/prometheus') });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** Metric names a PromQL expression selects: labels, strings, ranges, grouping clauses and function calls removed. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const end = (match.index ?? 0) + token.length;
    if (/^\s*\(/.test(stripped.slice(end))) continue; // a function or aggregation
    if (['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right'].includes(token.toLowerCase())) continue;
    names.add(token);
  }
  return [...names];
}

/** Every metric name a /metrics page declares, with a histogram's _bucket/_sum/_count series. */
function exportedNames(page: string): Set<string> {
  const names = new Set<string>(['up']);
  for (const match of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

/** Every `expr` of the shipped rules file, recording and alerting rules alike. */
function alertExpressions(): string[] {
  const rules = parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  return rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', (t) => {
    if (!requireTool(t, 'promtool', 'prometheus')) return;
    const result = promtool('check', 'rules', rulesFile);
    assert.ok(result.ok, result.output);
    assert.match(result.output, /SUCCESS: 17 rules found/);
  });

  it('pass their promtool unit tests (thresholds, durations, rendered annotations)', (t) => {
    if (!requireTool(t, 'promtool', 'prometheus')) return;
    const result = promtool('test', 'rules', 'rampart-alerts.test.yml');
    assert.ok(result.ok, result.output);
  });

  it('and the example scrape config passes promtool check config', (t) => {
    if (!requireTool(t, 'promtool', 'prometheus')) return;
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'x'.repeat(40), { mode: 0o600 });
    const config = readFileSync(join(root, 'deploy/prometheus/prometheus.yml'), 'utf8').replace('/etc/prometheus/secrets/rampart-metrics-token', tokenFile).replace('rampart-alerts.yml', rulesFile);
    writeFileSync(join(dir, 'prometheus-example.yml'), config);
    const result = promtool('check', 'config', join(dir, 'prometheus-example.yml'));
    assert.ok(result.ok, result.output);
  });
});

describe('the runbook', () => {
  it("has the section every alert's runbook annotation names", () => {
    const headings = new Set(
      [...readFileSync(join(root, 'docs/DEPLOYMENT.md'), 'utf8').matchAll(/^#{2,4} (.+)$/gm)].map((match) =>
        (match[1] as string).toLowerCase().replace(/[^a-z0-9 -]/g, '').replaceAll(' ', '-'),
      ),
    );
    const rules = parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert?: string; annotations?: { runbook?: string } }[] }[] };
    const alerts = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert !== undefined);
    assert.equal(alerts.length, 14);
    for (const alert of alerts) {
      const [file, anchor] = (alert.annotations?.runbook ?? '').split('#');
      assert.equal(file, 'docs/DEPLOYMENT.md', alert.alert);
      assert.ok(headings.has(anchor as string), `${alert.alert}: no section #${anchor}`);
    }
  });
});

describe('Grafana dashboard', () => {
  it('is a dashboard: unique panel ids, a datasource variable, a query on every graph', () => {
    assert.equal(dashboard.uid, 'rampart-service');
    const ids = dashboard.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(dashboard.templating.list.map((variable) => variable.name), ['datasource', 'job', 'instance']);
    for (const panel of dashboard.panels.filter((candidate) => candidate.type !== 'row')) {
      assert.ok((panel.targets ?? []).length > 0 && panel.targets?.every((target) => target.expr.trim() !== ''), panel.title);
    }
  });

  it('the metric-name extractor finds what it should (so the check below can fail)', () => {
    assert.deepEqual(metricNames('sum by (le, job) (rate(http_server_request_duration_seconds_bucket{job=~"$job", code!~"5.."}[5m])) / on (job) group_left up'), ['http_server_request_duration_seconds_bucket', 'up']);
    assert.deepEqual(metricNames('rampart_ready == 0 unless on (job, instance) rampart_shutdown_in_progress == 1'), ['rampart_ready', 'rampart_shutdown_in_progress']);
  });
});

describe('a real Prometheus scraping the reference service', () => {
  it('fires RampartHighErrorRatio from induced 5xx, and runs every dashboard query', async (t) => {
    if (!requireTool(t, 'prometheus', 'prometheus')) return;
    const token = randomBytes(24).toString('base64url');
    const servicePort = await freePort();
    const service = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'test/integration/deploy/fixtures/fault-service.ts')], {
      cwd: root,
      env: { ...process.env, PORT: String(servicePort), METRICS_TOKEN: token },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(service);
    await waitFor('the service to listen', async () => (await plainGet(servicePort, '/health/live')).status === 200, 30_000);
    const scrape = await plainGet(servicePort, '/metrics', { authorization: `Bearer ${token}` });
    assert.equal(scrape.status, 200);
    assert.equal((await plainGet(servicePort, '/metrics')).status, 401, 'production: no token, no metrics');
    const exported = exportedNames(scrape.body);

    // Every metric the dashboard and the alert rules select is one the service exports.
    const dashboardExprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    const referenced = new Set([...dashboardExprs, ...alertExpressions()].flatMap(metricNames));
    assert.ok(referenced.size >= 15, `found only ${[...referenced].join(', ')}`);
    assert.deepEqual([...referenced].filter((name) => !exported.has(name)), [], 'metric names the service does not export');

    // Prometheus: 1 s scrapes and evaluations. The rules file is the shipped one with RampartHighErrorRatio's
    // `for: 2m` shortened to 3 s; its real duration is covered by the promtool unit tests.
    const promPort = await freePort();
    const promDir = join(dir, 'prometheus');
    mkdirSync(promDir);
    writeFileSync(join(promDir, 'token'), token, { mode: 0o600 });
    const rules = readFileSync(rulesFile, 'utf8').replace(/(alert: RampartHighErrorRatio[\s\S]*?\n\s+for: )2m/, '$13s');
    assert.match(rules, /> 0\.001\n\s+for: 3s/);
    writeFileSync(join(promDir, 'rules.yml'), rules);
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ['${join(promDir, 'rules.yml')}']`,
        'scrape_configs:',
        '  - job_name: rampart',
        '    authorization:',
        `      credentials_file: ${join(promDir, 'token')}`,
        `    static_configs: [{ targets: ['127.0.0.1:${servicePort}'] }]`,
        '',
      ].join('\n'),
    );
    const prometheus = spawn('prometheus', [`--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: 'ignore' });
    children.push(prometheus);
    const api = async (path: string): Promise<{ status: string; data: unknown; error?: string }> => {
      const response = await plainGet(promPort, path);
      return response.status === 0 ? { status: 'down', data: undefined } : (JSON.parse(response.body) as { status: string; data: unknown });
    };
    await waitFor('Prometheus to be ready', async () => (await plainGet(promPort, '/-/ready')).status === 200, 30_000);
    await waitFor('the first successful scrape', async () => {
      const result = (await api('/api/v1/query?query=up%7Bjob%3D%22rampart%22%7D')).data as { result?: { value: [number, string] }[] } | undefined;
      return result?.result?.[0]?.value[1] === '1';
    }, 20_000);

    // Traffic: 19 good requests for every induced fault (5% errors), bounded in count and time.
    let firing = false;
    const deadline = Date.now() + 60_000;
    for (let round = 0; round < 600 && Date.now() < deadline && !firing; round++) {
      for (let i = 0; i < 19; i++) assert.equal((await plainGet(servicePort, `/api/echo?message=ok-${i}`)).status, 200);
      const fault = await plainGet(servicePort, '/api/fault');
      assert.equal(fault.status, 500);
      assert.equal((JSON.parse(fault.body) as Record<string, unknown>)['code'], 'INTERNAL_ERROR');
      if (round % 5 === 4) {
        const alerts = (await api('/api/v1/alerts')).data as { alerts: { labels: Record<string, string>; state: string }[] };
        firing = alerts.alerts.some((alert) => alert.labels['alertname'] === 'RampartHighErrorRatio' && alert.state === 'firing' && alert.labels['job'] === 'rampart');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(firing, 'RampartHighErrorRatio did not fire within 60 s');
    const alerts = (await api('/api/v1/alerts')).data as { alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] };
    const fired = alerts.alerts.find((alert) => alert.labels['alertname'] === 'RampartHighErrorRatio');
    assert.equal(fired?.labels['severity'], 'critical');
    assert.match(fired?.annotations['summary'] ?? '', /^rampart: \d+(\.\d+)?% of requests fail with 5xx$/);
    // No other alert fires on a healthy, busy instance (the readiness and store rules stay quiet).
    assert.deepEqual(alerts.alerts.filter((alert) => alert.state === 'firing').map((alert) => alert.labels['alertname']), ['RampartHighErrorRatio']);

    // Every dashboard query parses and runs, with the variables as Grafana would fill them.
    for (const expr of dashboardExprs) {
      const query = expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.+').replaceAll('$instance', '.+');
      const result = await api(`/api/v1/query?query=${encodeURIComponent(query)}`);
      assert.equal(result.status, 'success', `${expr}: ${result.error ?? ''}`);
    }
    const ratio = (await api(`/api/v1/query?query=${encodeURIComponent('job:rampart_http_5xx:rate5m / job:rampart_http_requests:rate5m')}`)).data as { result: { value: [number, string] }[] };
    const value = Number(ratio.result[0]?.value[1]);
    assert.ok(value > 0.01 && value < 0.1, `recorded 5xx ratio ${value}, induced 5%`);
  });
});
