import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { ConflictError, ServiceUnavailableError, causeChain, setUser, type ErrorContext } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

async function appWith(capture: (error: unknown, context: ErrorContext) => void) {
  const logs = new LogCapture();
  const app = Fastify();
  await app.register(rampart, { profile: 'production', log: { destination: logs }, securityLog: false, errorTracker: { capture } });
  app.get('/notes/:id', async () => {
    setUser('user-42');
    throw new Error('query failed', { cause: new Error('connect ECONNREFUSED 10.0.0.5:5432') });
  });
  app.get('/conflict', async () => {
    throw new ConflictError('Taken.');
  });
  app.get('/maintenance', async () => {
    throw new ServiceUnavailableError('Back at noon.', 600);
  });
  app.get('/tracked-fail', async () => {
    throw new Error('second bug');
  });
  await app.ready();
  return { app, logs };
}

describe('error tracker', () => {
  it('reports 5xx with the request context and cause chain', async () => {
    const reported: [unknown, ErrorContext][] = [];
    const { app } = await appWith((error, context) => reported.push([error, context]));
    const response = await app.inject({ url: '/notes/7?secret=x', headers: { 'x-request-id': 'req-500', 'user-agent': 'probe/2' } });
    assert.equal(response.statusCode, 500);
    assert.equal(reported.length, 1);
    const [error, context] = reported[0] ?? [];
    assert.equal((error as Error).message, 'query failed');
    assert.equal(context?.kind, 'request');
    assert.equal(context?.requestId, 'req-500');
    assert.equal(context?.route, '/notes/:id');
    assert.equal(context?.path, '/notes/7', 'no query string');
    assert.equal(context?.method, 'GET');
    assert.equal(context?.status, 500);
    assert.equal(context?.userId, 'user-42');
    assert.equal(context?.userAgent, 'probe/2');
    assert.deepEqual(context?.causes, [
      { name: 'Error', message: 'query failed' },
      { name: 'Error', message: 'connect ECONNREFUSED 10.0.0.5:5432' },
    ]);
    await app.close();
  });

  it('does not report 4xx, nor deliberate 503s', async () => {
    const reported: unknown[] = [];
    const { app } = await appWith((error) => reported.push(error));
    assert.equal((await app.inject({ url: '/conflict' })).statusCode, 409);
    assert.equal((await app.inject({ url: '/missing' })).statusCode, 404);
    assert.equal((await app.inject({ url: '/maintenance' })).statusCode, 503);
    assert.deepEqual(reported, []);
    await app.close();
  });

  it('a tracker that throws never changes the response, and is logged', async () => {
    const { app, logs } = await appWith(() => {
      throw new Error('tracker offline');
    });
    const response = await app.inject({ url: '/tracked-fail' });
    assert.equal(response.statusCode, 500);
    assert.equal(JSON.parse(response.body).code, 'INTERNAL_ERROR');
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(logs.lines.some((line) => line['msg'] === 'error tracker failed'));
    await app.close();
  });

  it('causeChain is bounded and survives cycles and non-errors', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    assert.deepEqual(causeChain(b).map((entry) => entry.message), ['b', 'a']);
    assert.deepEqual(causeChain(new Error('x', { cause: 'plain string' })), [
      { name: 'Error', message: 'x' },
      { name: 'string', message: 'plain string' },
    ]);
    let deep: Error = new Error('0');
    for (let i = 1; i < 20; i++) deep = new Error(String(i), { cause: deep });
    assert.equal(causeChain(deep).length, 8);
  });
});
