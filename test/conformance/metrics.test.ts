import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRampart } from 'rampart';
import { LogCapture } from '../support/capture-log.js';
import { DRIVERS } from './drivers/index.js';
import { harden, withEngine } from './harness.js';

const TOKEN = 'scrape-token-0123456789abcdef0123456789ab';

/** Every `http_route` label value in an exposition. */
function routeLabels(text: string): Set<string> {
  return new Set([...text.matchAll(/http_server_request_duration_seconds_count\{[^}]*http_route="([^"]*)"/g)].map((match) => match[1] as string));
}

/** The value of the first sample whose line starts with `prefix`. */
function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

for (const driver of DRIVERS) {
  describe(`metrics endpoint [${driver.name}]`, () => {
    it('serves the Prometheus text format with OpenTelemetry HTTP metrics, outside production', async () => {
      const { app } = await harden(driver, { profile: 'test' });
      await app.request({ url: '/json' });
      await app.request({ url: '/no/such/page' });
      await app.request({ method: 'PROPFIND', url: '/json' });
      const response = await app.request({ url: '/metrics' });
      assert.equal(response.status, 200);
      assert.match(response.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
      const text = response.body;
      assert.match(text, /# TYPE http_server_request_duration_seconds histogram/);
      assert.match(text, /http_server_request_duration_seconds_bucket\{le="0.005",http_request_method="GET",http_route="[^"]+",http_response_status_code="200"\}/);
      // OpenTelemetry's bucket boundaries, and nothing else.
      const les = [...text.matchAll(/http_server_request_duration_seconds_bucket\{le="([^"]+)",http_request_method="GET",http_route="UNMATCHED",http_response_status_code="404"\}/g)].map((m) => m[1]);
      assert.deepEqual(les, ['0.005', '0.01', '0.025', '0.05', '0.075', '0.1', '0.25', '0.5', '0.75', '1', '2.5', '5', '7.5', '10', '+Inf']);
      assert.match(text, /http_request_method="_OTHER"/, 'unknown methods are _OTHER');
      assert.doesNotMatch(text, /PROPFIND|\/no\/such\/page/);
      if (driver.name !== 'fetch') assert.ok(routeLabels(text).has('/json'), 'the route template labels matched requests');
      assert.equal(sample(text, 'rampart_errors_total{code="NOT_FOUND"}'), 2, 'the unknown page and the unknown method');
      assert.match(text, /^http_server_active_requests \d+$/m);
      assert.match(text, /^rampart_ready 1$/m);
      assert.match(text, /^rampart_shutdown_in_progress 0$/m);
      assert.match(text, /^process_cpu_user_seconds_total /m, 'default process metrics');
    });

    it('is never public in production: not served without admin settings, 401 without the token', async () => {
      const closed = await harden(driver);
      assert.equal((await closed.app.request({ url: '/metrics' })).status, 404);
      const { app } = await harden(driver, { admin: { token: TOKEN } });
      const denied = await app.request({ url: '/metrics' });
      assert.equal(denied.status, 401);
      assert.match(denied.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.doesNotMatch(denied.body, /http_server/);
      const scraped = await app.request({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(scraped.status, 200);
      assert.match(scraped.body, /http_server_request_duration_seconds/);
    });

    it('labels scrapes and probes with their own path, and unmatched paths with one constant', async () => {
      const { app } = await harden(driver, { profile: 'test' });
      const paths = Array.from({ length: 300 }, () => `/${randomBytes(6).toString('hex')}/${randomBytes(4).toString('hex')}`);
      for (let i = 0; i < paths.length; i += 50) await Promise.all(paths.slice(i, i + 50).map((url) => app.request({ url })));
      await app.request({ url: '/health/live' });
      const text = (await app.request({ url: '/metrics' })).body;
      const routes = routeLabels(text);
      for (const path of paths) assert.ok(!routes.has(path), `raw path ${path} became a label`);
      assert.ok(routes.has('UNMATCHED'));
      assert.ok(routes.has('/health/live'));
      assert.equal(sample(text, 'http_server_request_duration_seconds_count{http_request_method="GET",http_route="UNMATCHED",http_response_status_code="404"}'), 300);
    });

    it("registers the app's own metrics, idempotently, on the same registry", async () => {
      const { app, core } = await withEngine(driver, { profile: 'test' });
      const metrics = core.metrics;
      assert.ok(metrics !== undefined);
      const signups = metrics.counter({ name: 'notes_signups_total', help: 'Accounts created.', labelNames: ['plan'] });
      assert.equal(metrics.counter({ name: 'notes_signups_total', help: 'Accounts created.', labelNames: ['plan'] }), signups, 'a second registration returns the first');
      assert.throws(() => metrics.histogram({ name: 'notes_signups_total', help: 'x' }), { code: 'RAMPART_INVALID_OPTION' });
      assert.throws(() => metrics.counter({ name: 'http_server_active_requests', help: 'x' }), { code: 'RAMPART_INVALID_OPTION' });
      signups.inc({ plan: 'free' });
      signups.inc({ plan: 'free' });
      const text = (await app.request({ url: '/metrics' })).body;
      assert.equal(sample(text, 'notes_signups_total{plan="free"}'), 2);
    });
  });
}

describe('metrics with two engines in one process', () => {
  it('keeps a registry per engine, so creating two never throws', async () => {
    const one = createRampart({ profile: 'test', log: { destination: new LogCapture() } });
    const two = createRampart({ profile: 'test', log: { destination: new LogCapture() } });
    after(() => Promise.all([one.close(), two.close()]));
    assert.notEqual(one.metrics?.registry, two.metrics?.registry);
    one.metrics?.counter({ name: 'jobs_total', help: 'Jobs.' }).inc();
    assert.match((await one.metrics?.render())?.body ?? '', /^jobs_total 1$/m);
    assert.doesNotMatch((await two.metrics?.render())?.body ?? '', /jobs_total/);
  });
});
