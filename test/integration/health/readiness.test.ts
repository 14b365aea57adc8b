import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { postgresCheck, redisCheck, type Check } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';
import { waitUntil } from '../../support/free-port.js';
import { PrivatePostgres } from '../../support/private-postgres.js';
import { PrivateRedis } from '../../support/private-redis.js';

const logs = new LogCapture();

async function appWith(check: Check): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(rampart, { profile: 'test', log: { destination: logs, level: 'info' }, health: { checks: [check], processChecks: false } });
  await app.ready();
  after(() => app.close());
  return app;
}

async function ready(app: FastifyInstance): Promise<{ status: number; body: { status: string; checks: Record<string, { status: string; output?: string }[]> } }> {
  const response = await app.inject({ url: '/ready' });
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

describe('readiness against real dependencies that go down and come back', () => {
  it('PostgreSQL: 503 while the server is stopped, 200 again once it is back', async (t) => {
    const pg = await PrivatePostgres.start(t);
    if (pg === undefined) return;
    after(() => pg.destroy());
    const app = await appWith(postgresCheck({ url: pg.url, timeoutMs: 1500 }));

    assert.equal((await ready(app)).status, 200);
    pg.stop();
    const down = await ready(app);
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'fail');
    const check = down.body.checks['postgres:connection']?.[0];
    assert.equal(check?.status, 'fail');
    assert.doesNotMatch(JSON.stringify(down.body), /127\.0\.0\.1|ECONNREFUSED|postgres:\/\//, 'no host or driver message');

    pg.resume();
    await waitUntil(async () => (await ready(app)).status === 200, 'readiness to pass again');
    // The operator's view: one line when it broke (with the remedy), one when it recovered.
    const transitions = logs.lines.filter((line) => line['check'] === 'postgres:connection');
    assert.deepEqual(transitions.map((line) => [line['msg'], line['level']]), [['health check failing', 'error'], ['health check recovered', 'info']]);
    assert.equal(typeof transitions[0]?.['remedy'], 'string');
  });

  it('Redis: 503 while the server is stopped, 200 again once it is back', async (t) => {
    const redis = await PrivateRedis.start(t);
    if (redis === undefined) return;
    after(() => redis.destroy());
    const app = await appWith(redisCheck({ url: redis.url, timeoutMs: 1000 }));

    assert.equal((await ready(app)).status, 200);
    await redis.stop();
    const down = await ready(app);
    assert.equal(down.status, 503);
    assert.equal(down.body.checks['redis:connection']?.[0]?.status, 'fail');
    assert.doesNotMatch(JSON.stringify(down.body), /127\.0\.0\.1|ECONNREFUSED/);

    await redis.resume();
    await waitUntil(async () => (await ready(app)).status === 200, 'readiness to pass again');
  });

  it('a hung check that honours its abort signal reports the timeout, not a generic failure', async () => {
    const hung: Check = { name: 'search:query', timeoutMs: 300, run: (signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
    const app = await appWith(hung);
    const started = performance.now();
    const result = await ready(app);
    const elapsed = performance.now() - started;
    assert.equal(result.status, 503);
    assert.match(result.body.checks['search:query']?.[0]?.output ?? '', /timed out after 300 ms/);
    assert.ok(elapsed < 1000, `${Math.round(elapsed)} ms`);
  });
});
