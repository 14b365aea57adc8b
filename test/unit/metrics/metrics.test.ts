import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { CHANNEL_NAMES, NodeRequestView, createRampart, type RequestView } from 'rampart';
import { LogCapture } from '../../support/capture-log.js';

function view(method: string, url: string): RequestView {
  return { method, url, remoteAddress: '127.0.0.1', encrypted: false, header: () => undefined };
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Rampart metrics', () => {
  it('caps series per metric, folding the rest into _overflow and counting it', async () => {
    const rampart = createRampart({ profile: 'test', metrics: { maxSeries: 3, processMetrics: false }, log: { destination: new LogCapture() } });
    try {
      for (let i = 0; i < 10; i++) {
        const state = rampart.begin(view('GET', `/items/${i}`));
        state.route = `/route-${i}`; // a route label fed from input: the mistake the cap protects against
        rampart.finish(state, 200);
      }
      const text = (await rampart.metrics?.render())?.body ?? '';
      const routes = new Set([...text.matchAll(/_count\{[^}]*http_route="([^"]+)"/g)].map((match) => match[1]));
      assert.deepEqual([...routes].sort(), ['/route-0', '/route-1', '/route-2', '_overflow']);
      assert.equal(sample(text, 'http_server_request_duration_seconds_count{http_request_method="_overflow",http_route="_overflow",http_response_status_code="_overflow"}'), 7, 'overflowing observations still count');
      assert.equal(sample(text, 'rampart_metrics_label_overflow_total{metric="http_server_request_duration_seconds"}'), 7);
    } finally {
      await rampart.close();
    }
  });

  it('tracks requests in flight between begin and finish', async () => {
    const rampart = createRampart({ profile: 'test', metrics: { processMetrics: false }, log: { destination: new LogCapture() } });
    try {
      const states = [rampart.begin(view('GET', '/a')), rampart.begin(view('POST', '/b'))];
      assert.equal(sample((await rampart.metrics?.render())?.body ?? '', 'http_server_active_requests'), 2);
      for (const state of states) rampart.finish(state, 204);
      assert.equal(sample((await rampart.metrics?.render())?.body ?? '', 'http_server_active_requests'), 0);
    } finally {
      await rampart.close();
    }
  });

  it('two engines in one process count only their own requests\' decisions', async () => {
    const limited = createRampart({ profile: 'test', metrics: { processMetrics: false }, log: { destination: new LogCapture() }, rateLimit: { env: false, rules: [{ name: 'auth', limit: 1, window: '1m' }] } });
    const other = createRampart({ profile: 'test', metrics: { processMetrics: false }, log: { destination: new LogCapture() } });
    try {
      for (let i = 0; i < 3; i++) {
        const request = view('POST', '/login');
        const state = limited.begin(request);
        limited.admit(state, request);
        limited.finish(state, 200);
      }
      const own = (await limited.metrics?.render())?.body ?? '';
      assert.equal(sample(own, 'rampart_rate_limit_decisions_total{rule="auth",outcome="allowed"}'), 1);
      assert.equal(sample(own, 'rampart_rate_limit_decisions_total{rule="auth",outcome="rejected"}'), 2);
      const others = (await other.metrics?.render())?.body ?? '';
      assert.equal(sample(others, 'rampart_rate_limit_decisions_total{rule="auth",outcome="rejected"}'), undefined, 'the other engine saw none of them');
      channel(CHANNEL_NAMES.rateLimitStoreFailure).publish({ store: 'redis', policy: 'open', error: new Error('ECONNREFUSED'), owner: limited.begin(view('GET', '/')).owner });
      assert.equal(sample((await other.metrics?.render())?.body ?? '', 'rampart_rate_limit_store_failures_total{store="redis",policy="open"}'), undefined);
    } finally {
      await Promise.all([limited.close(), other.close()]);
    }
  });

  it('counts rate-limit decisions, store failures and CSRF rejections from their channels, and stops on close', async () => {
    const rampart = createRampart({ profile: 'test', metrics: { processMetrics: false }, log: { destination: new LogCapture() } });
    const state = rampart.begin(view('POST', '/login'));
    channel(CHANNEL_NAMES.rateLimitDecision).publish({ state, rule: 'auth', outcome: 'allowed' });
    channel(CHANNEL_NAMES.rateLimitDecision).publish({ state, rule: { name: 'auth' }, outcome: 'rejected', retryAfterSeconds: 30 });
    channel(CHANNEL_NAMES.rateLimitStoreFailure).publish({ store: 'redis', policy: 'open', error: new Error('ECONNREFUSED'), owner: state.owner });
    channel(CHANNEL_NAMES.csrfRejection).publish({ state, reason: 'origin-mismatch' });
    const text = (await rampart.metrics?.render())?.body ?? '';
    assert.equal(sample(text, 'rampart_rate_limit_decisions_total{rule="auth",outcome="allowed"}'), 1);
    assert.equal(sample(text, 'rampart_rate_limit_decisions_total{rule="auth",outcome="rejected"}'), 1);
    assert.equal(sample(text, 'rampart_rate_limit_store_failures_total{store="redis",policy="open"}'), 1);
    assert.equal(sample(text, 'rampart_csrf_rejections_total{reason="origin-mismatch"}'), 1);
    const metrics = rampart.metrics;
    await rampart.close();
    channel(CHANNEL_NAMES.csrfRejection).publish({ state, reason: 'origin-mismatch' });
    assert.equal(sample((await metrics?.render())?.body ?? '', 'rampart_csrf_rejections_total{reason="origin-mismatch"}'), 1, 'unsubscribed on close');
  });

  it('app histograms and gauges: timers, default buckets, validated names', async () => {
    const rampart = createRampart({ profile: 'test', metrics: { processMetrics: false, defaultLabels: { service: 'notes' } }, log: { destination: new LogCapture() } });
    try {
      const metrics = rampart.metrics;
      assert.ok(metrics);
      const jobs = metrics.histogram({ name: 'notes_job_duration_seconds', help: 'Job run time.', labelNames: ['job'] });
      const stop = jobs.startTimer({ job: 'digest' });
      assert.ok(stop() >= 0);
      const queue = metrics.gauge({ name: 'notes_queue_depth', help: 'Jobs waiting.' });
      queue.set({}, 5);
      queue.dec();
      const text = (await metrics.render()).body;
      assert.equal(sample(text, 'notes_job_duration_seconds_count{service="notes",job="digest"}'), 1);
      assert.match(text, /notes_job_duration_seconds_bucket\{le="0.005",service="notes",job="digest"\}/);
      assert.equal(sample(text, 'notes_queue_depth{service="notes"}'), 4);
      assert.throws(() => metrics.counter({ name: 'bad-name', help: 'x' }), { code: 'RAMPART_INVALID_OPTION' });
      assert.throws(() => metrics.counter({ name: 'ok_total', help: '' }), { code: 'RAMPART_INVALID_OPTION' });
      assert.throws(() => metrics.counter({ name: 'ok_total', help: 'x', labelNames: ['__reserved'] }), { code: 'RAMPART_INVALID_OPTION' });
    } finally {
      await rampart.close();
    }
  });

  it('counts log destination write failures instead of crashing (disk full)', async () => {
    // /dev/full accepts the open and fails every write with ENOSPC.
    const rampart = createRampart({ profile: 'production', log: { file: '/dev/full', level: 'info' }, metrics: { processMetrics: false }, admin: { allow: ['loopback'] }, securityLog: false });
    const stderr = process.stderr.write;
    let warned = '';
    process.stderr.write = ((chunk: string) => {
      warned += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      for (let i = 0; i < 50; i++) rampart.logger.info({ i }, 'x'.repeat(200));
      rampart.flushLogs();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const errors = sample((await rampart.metrics?.render())?.body ?? '', 'rampart_log_write_errors_total');
      assert.ok(errors !== undefined && errors > 0, `counted ${String(errors)}`);
      assert.match(warned, /log destination write failed \(ENOSPC\)/);
      assert.equal(warned.match(/log destination write failed/g)?.length, 1, 'said once, counted after');
    } finally {
      process.stderr.write = stderr;
      await rampart.close().catch(() => undefined);
    }
  });

  it('refuses bad metrics options at construction', () => {
    assert.throws(() => createRampart({ profile: 'test', metrics: { maxSeries: 0 } }), { code: 'RAMPART_INVALID_OPTION', message: /metrics\.maxSeries/ });
    assert.throws(() => createRampart({ profile: 'test', metrics: { port: 70000 } }), { code: 'RAMPART_INVALID_OPTION', message: /metrics\.port/ });
    assert.throws(() => createRampart({ profile: 'test', metrics: 'yes' as never }), { code: 'RAMPART_INVALID_OPTION' });
    assert.equal(createRampart({ profile: 'test', metrics: false, log: { destination: new LogCapture() } }).metrics, undefined);
  });

  it('still asks for the admin token on the admin port when one is configured', async () => {
    const token = 't'.repeat(40);
    const rampart = createRampart({ profile: 'production', admin: { token }, metrics: { port: 0, processMetrics: false }, log: { destination: new LogCapture() } });
    try {
      const address = await rampart.adminServer?.address;
      assert.ok(address);
      const denied = await fetch(`http://127.0.0.1:${address.port}/metrics`);
      assert.equal(denied.status, 401);
      assert.match(denied.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const scraped = await fetch(`http://127.0.0.1:${address.port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(scraped.status, 200);
    } finally {
      await rampart.close();
    }
  });

  it('serves /metrics on a separate admin port, and not on the main one', async () => {
    const rampart = createRampart({ profile: 'production', metrics: { port: 0, processMetrics: false }, log: { destination: new LogCapture() } });
    try {
      const address = await rampart.adminServer?.address;
      assert.ok(address);
      const scrape = await fetch(`http://127.0.0.1:${address.port}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(await scrape.text(), /http_server_request_duration_seconds/);
      const live = await fetch(`http://127.0.0.1:${address.port}/health/live`);
      assert.equal(live.status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${address.port}/other`)).status, 404);
      const state = rampart.begin(new NodeRequestView({ method: 'GET', url: '/metrics', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as never));
      assert.equal(await rampart.admit(state, view('GET', '/metrics')), undefined, 'the main port leaves /metrics to the app (a 404)');
    } finally {
      await rampart.close();
    }
  });
});
