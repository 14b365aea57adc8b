import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { describe, it } from 'node:test';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import { frameworkErrors, rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

async function app(options: FastifyHttpOptions<Server> = {}): Promise<{ app: FastifyInstance; logs: LogCapture }> {
  const logs = new LogCapture();
  const instance = Fastify(options);
  await instance.register(rampart, { profile: 'production', log: { format: 'json', level: 'info', destination: logs } });
  instance.get('/items/:id', async (request) => ({ params: request.params }));
  await instance.ready();
  return { app: instance, logs };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

// Fastify answers these before any hook runs; without Rampart's handler the
// client got `{"error":"Bad Request","code":"FST_ERR_BAD_URL","message":"'/%zz' is not a valid url component"}`:
// not problem+json, no request id, no security headers, no log line, the framework named.
describe('Fastify framework errors answered as problems', () => {
  it('a URL the router cannot percent-decode (/%zz) is a 400 problem with the request id, headers and a log line', async () => {
    const { app: instance, logs } = await app();
    for (const url of ['/%zz', '/items/%ff%fe', '/items/%']) {
      const response = await instance.inject({ url });
      assert.equal(response.statusCode, 400, url);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const problem = response.json<Record<string, unknown>>();
      assert.equal(problem['code'], 'BAD_REQUEST');
      assert.equal(problem['requestId'], response.headers['x-request-id']);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.doesNotMatch(response.body, /FST_|fastify|valid url component/i);
    }
    await settle();
    const lines = logs.accessLines.filter((line) => line['status'] === 400);
    assert.equal(lines.length, 3, JSON.stringify(logs.accessLines));
    await instance.close();
  });

  it('a path parameter over maxParamLength is a 414 problem', async () => {
    const { app: instance } = await app({ routerOptions: { maxParamLength: 20 } });
    const response = await instance.inject({ url: `/items/${'a'.repeat(40)}` });
    assert.equal(response.statusCode, 414);
    assert.equal(response.json<Record<string, unknown>>()['code'], 'URI_TOO_LONG');
    await instance.close();
  });

  it("an app's own frameworkErrors is kept, and can delegate to Rampart's", async () => {
    const seen: string[] = [];
    const { app: instance } = await app({
      frameworkErrors: (error, request, reply) => {
        seen.push(error.code);
        frameworkErrors(error, request, reply);
      },
    });
    const response = await instance.inject({ url: '/%zz' });
    assert.deepEqual(seen, ['FST_ERR_BAD_URL']);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    await instance.close();
  });
});
