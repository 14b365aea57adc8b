import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRampart, type Check, type CheckResult } from 'rampart';
import { HealthRegistry, type CheckReport } from '../../../src/health/registry.js';

function counted(result: CheckResult, extra: Partial<Check> = {}): Check & { runs: number } {
  const check = {
    name: 'db:connection',
    runs: 0,
    async run() {
      check.runs++;
      return result;
    },
    ...extra,
  };
  return check;
}

describe('health registry', () => {
  it('folds results: a failing critical check fails, a failing non-critical one warns', async () => {
    const registry = new HealthRegistry({ started: true });
    registry.add(counted({ status: 'pass' })).add(counted({ status: 'fail', output: 'down' }, { name: 'cache:ping', critical: false }));
    const report = await registry.report();
    assert.equal(report.status, 'warn');
    assert.equal(report.checks.find((check) => check.name === 'cache:ping')?.status, 'warn', 'runCheck downgrades non-critical failures');
    registry.add(counted({ status: 'fail' }, { name: 'queue:depth' }));
    const failed = await registry.report();
    assert.equal(failed.status, 'fail');
    assert.equal(failed.reason, 'check failed');
  });

  it('reuses a result for cacheMs and runs again after it', async () => {
    let now = 1_000;
    const registry = new HealthRegistry({ started: true, now: () => now });
    const check = counted({ status: 'pass' }, { cacheMs: 5000 });
    registry.add(check);
    await registry.report();
    now += 4999;
    const cached = await registry.report();
    assert.equal(check.runs, 1);
    assert.equal(cached.checks[0]?.time, new Date(1_000).toISOString(), 'the cached result keeps the time it ran');
    now += 2;
    await registry.report();
    assert.equal(check.runs, 2);
  });

  it('shares one run between concurrent probes', async () => {
    const registry = new HealthRegistry({ started: true });
    let release: (() => void) | undefined;
    let runs = 0;
    registry.add({
      name: 'db:connection',
      run: () => {
        runs++;
        return new Promise<CheckResult>((resolve) => {
          release = () => resolve({ status: 'pass' });
        });
      },
    });
    const probes = Promise.all(Array.from({ length: 20 }, () => registry.report()));
    await new Promise((resolve) => setImmediate(resolve));
    release?.();
    const reports = await probes;
    assert.equal(runs, 1);
    assert.ok(reports.every((report) => report.status === 'pass'));
  });

  it('fails with reason starting until markStarted(), and draining after markDraining()', async () => {
    const registry = new HealthRegistry({ started: false });
    assert.deepEqual(await registry.report(), { status: 'fail', reason: 'starting', checks: [] });
    registry.markStarted();
    assert.equal((await registry.report()).status, 'pass');
    registry.markDraining();
    assert.deepEqual(await registry.report(), { status: 'fail', reason: 'draining', checks: [] });
  });

  it('reports every real run (for the health check metrics), not cached reuses', async () => {
    const seen: CheckReport[] = [];
    const registry = new HealthRegistry({ started: true, onResult: (report) => seen.push(report) });
    registry.add(counted({ status: 'pass' }, { cacheMs: 60_000 }));
    await registry.report();
    await registry.report();
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.name, 'db:connection');
    assert.equal(typeof seen[0]?.durationMs, 'number');
  });

  it('refuses malformed, duplicate and badly timed checks with a coded error', () => {
    const registry = new HealthRegistry({ started: true });
    registry.add(counted({ status: 'pass' }));
    assert.throws(() => registry.add(counted({ status: 'pass' })), { code: 'RAMPART_INVALID_OPTION', message: /not already registered/ });
    assert.throws(() => registry.add(counted({ status: 'pass' }, { name: 'has spaces' })), { code: 'RAMPART_INVALID_OPTION' });
    assert.throws(() => registry.add(counted({ status: 'pass' }, { name: 'x:y', timeoutMs: -1 })), { code: 'RAMPART_INVALID_OPTION' });
    assert.throws(() => registry.add({ name: 'x:z' } as unknown as Check), { code: 'RAMPART_INVALID_OPTION' });
  });

  it('feeds rampart_health_check_status and _duration_seconds', async () => {
    const rampart = createRampart({ profile: 'test', health: { processChecks: false, checks: [counted({ status: 'fail' }, { name: 'cache:ping', critical: false })] } });
    try {
      await rampart.health.report();
      const text = (await rampart.metrics?.render())?.body ?? '';
      assert.match(text, /^rampart_health_check_status\{check="cache:ping"\} 0\.5$/m);
      assert.match(text, /^rampart_health_check_duration_seconds\{check="cache:ping"\} \d/m);
      assert.match(text, /^rampart_ready 1$/m, 'a warning does not fail readiness');
    } finally {
      await rampart.close();
    }
  });
});
