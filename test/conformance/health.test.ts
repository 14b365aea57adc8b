import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Check } from 'rampart';
import { DRIVERS, type TestResponse } from './drivers/index.js';
import { harden, withEngine } from './harness.js';

const TOKEN = 'ops-token-0123456789abcdef0123456789abcdef';

const passing = (name: string, critical = true): Check => ({ name, critical, run: async () => ({ status: 'pass', observedValue: 1.5, observedUnit: 'ms' }) });
const failing = (name: string, critical = true): Check => ({ name, critical, run: async () => ({ status: 'fail', output: 'connection refused' }) });

function assertHealthJson(response: TestResponse, status: number): Record<string, unknown> {
  assert.equal(response.status, status);
  assert.match(response.headers['content-type'] ?? '', /^application\/health\+json(; charset=utf-8)?$/);
  assert.equal(response.headers['cache-control'], 'no-store');
  return response.json();
}

for (const driver of DRIVERS) {
  describe(`health endpoints [${driver.name}]`, () => {
    it('liveness is 200 pass with no details, whatever the checks say', async () => {
      const { app } = await harden(driver, { profile: 'test', health: { checks: [failing('db:connection')] } });
      const body = assertHealthJson(await app.request({ url: '/health/live' }), 200);
      assert.deepEqual(body, { status: 'pass' });
    });

    it('readiness passes on every alias when critical checks pass, with details outside production', async () => {
      const { app } = await harden(driver, { profile: 'test', health: { checks: [passing('db:connection')] } });
      for (const url of ['/ready', '/health/ready', '/health']) {
        const body = assertHealthJson(await app.request({ url }), 200);
        // The process checks may warn on a busy machine; they are never critical.
        assert.notEqual(body['status'], 'fail', url);
        const checks = body['checks'] as Record<string, Record<string, unknown>[]>;
        assert.equal(checks['db:connection']?.[0]?.['status'], 'pass');
        assert.equal(checks['db:connection']?.[0]?.['observedValue'], 1.5);
        assert.equal(typeof checks['db:connection']?.[0]?.['time'], 'string');
        assert.ok(checks['eventloop:delay'] && checks['memory:heap'], 'process checks are on by default');
      }
    });

    it('readiness is 503 fail when a critical check fails, 200 warn when only a non-critical one does', async () => {
      const down = await harden(driver, { profile: 'test', health: { checks: [failing('db:connection')], processChecks: false } });
      const failed = assertHealthJson(await down.app.request({ url: '/ready' }), 503);
      assert.equal(failed['status'], 'fail');
      assert.equal(failed['output'], 'check failed');
      const degraded = await harden(driver, { profile: 'test', health: { checks: [failing('cache:ping', false)], processChecks: false } });
      const warned = assertHealthJson(await degraded.app.request({ url: '/ready' }), 200);
      assert.equal(warned['status'], 'warn');
      assert.equal((warned['checks'] as Record<string, Record<string, unknown>[]>)['cache:ping']?.[0]?.['output'], 'connection refused');
    });

    it('a hung check fails at its timeout instead of hanging the probe', async () => {
      const hung: Check = { name: 'api:reachable', timeoutMs: 150, run: () => new Promise(() => undefined) };
      const { app } = await harden(driver, { profile: 'test', health: { checks: [hung], processChecks: false } });
      const started = performance.now();
      const body = assertHealthJson(await app.request({ url: '/ready' }), 503);
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 140 && elapsed < 1500, `answered in ${Math.round(elapsed)} ms`);
      assert.match(String((body['checks'] as Record<string, Record<string, unknown>[]>)['api:reachable']?.[0]?.['output']), /timed out after 150 ms/);
    });

    it('in production, anonymous callers get the status only; the admin token shows the details', async () => {
      const { app } = await harden(driver, { admin: { token: TOKEN }, health: { checks: [failing('db:connection')] } });
      const anonymous = assertHealthJson(await app.request({ url: '/ready' }), 503);
      assert.deepEqual(anonymous, { status: 'fail' });
      assert.ok(!JSON.stringify(anonymous).includes('refused'));
      const wrongToken = assertHealthJson(await app.request({ url: '/ready', headers: { authorization: 'Bearer not-the-token' } }), 503);
      assert.deepEqual(wrongToken, { status: 'fail' });
      const admin = assertHealthJson(await app.request({ url: '/ready', headers: { authorization: `Bearer ${TOKEN}` } }), 503);
      assert.equal((admin['checks'] as Record<string, Record<string, unknown>[]>)['db:connection']?.[0]?.['output'], 'connection refused');
    });

    it('answers other methods with 405 problem+json and Allow', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/health' });
      assert.equal(response.status, 405);
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.equal(response.headers['allow'], 'GET, HEAD');
      assert.equal(response.json()['code'], 'METHOD_NOT_ALLOWED');
    });

    it('readiness fails while draining and liveness stays 200', async () => {
      const exits: number[] = [];
      const { app, core } = await withEngine(driver, { profile: 'test', shutdown: { exit: (code) => exits.push(code), signals: [], handleUncaught: false } });
      assertHealthJson(await app.request({ url: '/ready' }), 200);
      const done = core.lifecycle.shutdown('test');
      // The drain has started: readiness fails at once, before any delay.
      const ready = await app.request({ url: '/ready' });
      assert.equal(ready.status, 503);
      assertHealthJson(await app.request({ url: '/health/live' }), 200);
      assert.equal(await done, 0);
      assert.deepEqual(exits, [0]);
    });

    it('readiness waits for markStarted() when awaitStartup is set', async () => {
      const { app, core } = await withEngine(driver, { profile: 'test', health: { awaitStartup: true, processChecks: false } });
      const starting = assertHealthJson(await app.request({ url: '/ready' }), 503);
      assert.equal(starting['output'], 'starting');
      core.health.markStarted();
      assertHealthJson(await app.request({ url: '/ready' }), 200);
    });

    it('probes are exempt from the access log and never reach the app route', async () => {
      const { app, logs } = await harden(driver, { health: { processChecks: false } });
      const response = await app.request({ url: '/health' });
      assert.match(response.headers['content-type'] ?? '', /^application\/health\+json(; charset=utf-8)?$/);
      assert.equal(logs.accessLines.length, 0);
    });
  });

  describe(`status endpoint [${driver.name}]`, () => {
    it('is not served in production without an admin token', async () => {
      const { app } = await harden(driver);
      assert.equal((await app.request({ url: '/status' })).status, 404);
    });

    it('asks for the bearer token with 401, and shows version, environment, uptime and a redacted config with it', async () => {
      const config = { port: 3000, databaseUrl: 'postgres://app@db/notes', dbPassword: 'hunter2', nested: { apiKey: 'k-123', region: 'eu' } };
      const { app } = await harden(driver, { admin: { token: TOKEN }, status: { version: '1.4.2', config } });
      const denied = await app.request({ url: '/status' });
      assert.equal(denied.status, 401);
      assert.match(denied.headers['www-authenticate'] ?? '', /^Bearer/);
      assert.equal(denied.json()['code'], 'UNAUTHORIZED');
      const response = await app.request({ url: '/status', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200);
      assert.equal(response.headers['cache-control'], 'no-store');
      const body = response.json();
      assert.equal(body['version'], '1.4.2');
      assert.equal(body['status'], 'ready');
      assert.equal(body['environment'], 'production');
      assert.equal(typeof body['uptimeSeconds'], 'number');
      assert.ok(!Number.isNaN(Date.parse(String(body['startedAt']))));
      assert.deepEqual(body['config'], { port: 3000, databaseUrl: 'postgres://app@db/notes', dbPassword: '[redacted]', nested: { apiKey: '[redacted]', region: 'eu' } });
      assert.ok(!response.body.includes('hunter2') && !response.body.includes('k-123'));
    });

    it('an allowlisted address is admin without a token; others get 403', async () => {
      const allowed = await harden(driver, { admin: { allow: ['loopback'] } });
      assert.equal((await allowed.app.request({ url: '/status' })).status, 200);
      const elsewhere = await harden(driver, { admin: { allow: ['10.0.0.0/8'] } });
      const denied = await elsewhere.app.request({ url: '/status' });
      assert.equal(denied.status, 403);
      assert.equal(denied.json()['code'], 'FORBIDDEN');
      // A forged X-Forwarded-For does not make the caller an allowlisted address (trustProxy is off).
      const forged = await elsewhere.app.request({ url: '/status', headers: { 'x-forwarded-for': '10.0.0.5', forwarded: 'for=10.0.0.5' } });
      assert.equal(forged.status, 403);
      assert.ok(!forged.body.includes('uptimeSeconds'));
    });
  });
}
