import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, productionEnv, ServiceInstance, waitFor } from '../integration/deploy/stack.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { recordFigures } from './figures.js';
import { ms, seconds, startLoad, summarize, type Sample } from './load.js';
import { accountWithToken, call } from './service-client.js';

/**
 * PostgreSQL goes away under load and comes back. A private cluster (never
 * the shared server) is stopped with `pg_ctl -m immediate` — connections cut
 * as in a crash — while a production instance of the reference service
 * serves an authenticated API load and a balancer probes `/ready`.
 */
const OUTAGE_MS = 4000;
const PROBE_EVERY_MS = 100;
/** pg's connectionTimeoutMillis in the reference service (2 s) plus slack: no request waits longer for a database that is down. */
const MAX_WAIT_MS = 3000;

describe('PostgreSQL stopped and restarted under load', () => {
  let pg: PrivatePostgres | undefined;
  let dir: string | undefined;
  let instance: ServiceInstance | undefined;

  after(async () => {
    await instance?.stop('SIGKILL');
    pg?.destroy();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('readiness turns 503 then 200, API requests get 503 problem+json (never 500), the process survives and the pool recovers', async (t) => {
    pg = await PrivatePostgres.start(t);
    if (pg === undefined) return;
    dir = mkdtempSync(join(tmpdir(), 'rampart-pg-fault-'));
    instance = new ServiceInstance('pg-fault', await freePort(), { ...productionEnv(dir, 'pg-fault', 'false'), DATABASE_URL: pg.url });
    await instance.start();
    const service = instance;
    const database = pg;
    const { token } = await accountWithToken(service.port, 'pg-fault');
    const created = await call(service.port, 'POST', '/api/notes', { body: { title: 'before the outage' }, headers: { authorization: `Bearer ${token}` } });
    assert.equal(created.status, 201, created.body);

    const api = startLoad({
      port: service.port,
      concurrency: 4,
      maxRequests: 20_000,
      maxMs: 40_000,
      pauseMs: 5,
      keepHeader: 'retry-after',
      next: (n) => (n % 5 === 0 ? { path: '/api/notes', method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: `{"title":"note ${n}"}` } : { path: '/api/notes?limit=5', headers: { authorization: `Bearer ${token}` } }),
    });
    const probes = startLoad({ port: service.port, concurrency: 1, maxRequests: 2000, maxMs: 40_000, pauseMs: PROBE_EVERY_MS, timeoutMs: 5000, next: () => ({ path: '/ready' }) });

    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stoppedAt = performance.now();
    await database.stopAsync();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const restartingAt = performance.now();
    await database.resumeAsync();
    const restartedAt = performance.now();
    const firstAfter = (samples: readonly Sample[], ok: (sample: Sample) => boolean): number | undefined => samples.find((sample) => sample.at >= restartedAt && ok(sample))?.at;
    await waitFor('the API to answer 200 again', () => firstAfter(api.samples, (sample) => sample.status === 200) !== undefined, 30_000);
    await waitFor('readiness to pass again', () => firstAfter(probes.samples, (sample) => sample.status === 200) !== undefined, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const apiSamples = await api.stop();
    const probeSamples = await probes.stop();
    const apiBack = firstAfter(apiSamples, (sample) => sample.status === 200) as number;
    const readyBack = firstAfter(probeSamples, (sample) => sample.status === 200) as number;

    assert.ok(!service.crashed, 'the service process is still running');
    const before = summarize(apiSamples, { to: stoppedAt });
    assert.equal(before.ok, before.sent, `all requests succeeded before the outage: ${JSON.stringify(before.statuses)}`);
    const outage = apiSamples.filter((sample) => sample.at >= stoppedAt && sample.at < apiBack);
    const during = summarize(outage);
    assert.equal(during.serverErrors, 0, `no 500 (or other 5xx but 503) during the outage: ${JSON.stringify(during.statuses)}`);
    assert.equal(during.noAnswer, 0, `every request was answered: ${JSON.stringify(during.statuses)}`);
    const refused = outage.filter((sample) => sample.status === 503);
    assert.ok(refused.length > 100, `API requests were refused while the database was down (${refused.length})`);
    assert.ok(refused.every((sample) => sample.contentType.startsWith('application/problem+json') && sample.code === 'SERVICE_UNAVAILABLE' && sample.header === '5'), 'as 503 problem+json SERVICE_UNAVAILABLE with Retry-After: 5');
    assert.ok(during.maxMs < MAX_WAIT_MS, `no request waited more than ${MAX_WAIT_MS} ms (max ${Math.round(during.maxMs)} ms)`);
    const after = summarize(apiSamples, { from: apiBack });
    assert.equal(after.ok, after.sent, `all requests succeed once the pool has reconnected: ${JSON.stringify(after.statuses)}`);

    // Readiness: 200 before, 503 while the database is down (once the check's 1 s cache expired), 200 after.
    assert.ok(probeSamples.some((sample) => sample.at < stoppedAt && sample.status === 200), 'ready before');
    const downProbes = probeSamples.filter((sample) => sample.at >= stoppedAt + 1500 && sample.at < restartingAt);
    assert.ok(downProbes.length >= 10, `readiness was probed during the outage (${downProbes.length})`);
    assert.ok(downProbes.every((sample) => sample.status === 503), `readiness failed during the outage: ${JSON.stringify(summarize(downProbes).statuses)}`);
    assert.ok(probeSamples.every((sample) => sample.ms < MAX_WAIT_MS), 'no probe waited past the check timeout');
    assert.ok(service.lines.some((line) => line['msg'] === 'health check failing'), 'the failing check was logged');
    assert.ok(service.lines.some((line) => line['msg'] === 'health check recovered'), 'and its recovery');

    recordFigures('postgres-restart', {
      title: 'PostgreSQL stopped and restarted under load',
      group: 'faults',
      command: 'npm test -- test/reliability/postgres-faults.test.ts',
      claim: `A private PostgreSQL cluster is stopped (pg_ctl -m immediate) for ${OUTAGE_MS / 1000} s under an authenticated read/write API load on a production instance of the reference service: API requests are answered 503 problem+json SERVICE_UNAVAILABLE with Retry-After (never 500, never unanswered), readiness is 503 then 200, the process stays up and the connection pool recovers by itself.`,
      figures: {
        'requests sent': apiSamples.length,
        'requests during the outage': during.sent,
        'answered 503 during the outage': refused.length,
        '500s or unanswered': during.serverErrors + during.noAnswer,
        'max latency during the outage': ms(during.maxMs),
        'outage (PostgreSQL stopped until it accepted connections again)': seconds(restartedAt - stoppedAt),
        'API recovery after PostgreSQL accepted connections': ms(apiBack - restartedAt),
        'readiness recovery after PostgreSQL accepted connections': ms(readyBack - restartedAt),
        'readiness probes during the outage (all 503)': downProbes.length,
      },
    });
  });
});
