import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS, type TestResponse } from './drivers/index.js';
import { INTERNAL_SECRET_MESSAGE } from './drivers/routes.js';
import { rawExchange } from '../support/hostile.js';
import { harden, settle } from './harness.js';

/** RFC 9457 shape plus Rampart's members, and nothing that reveals internals. */
function assertProblem(response: TestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.status, status);
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem['status'], status);
  assert.equal(problem['code'], code);
  assert.equal(typeof problem['title'], 'string');
  assert.equal(typeof problem['detail'], 'string');
  assert.equal(problem['type'], `urn:rampart:problem:${code.toLowerCase().replaceAll('_', '-')}`);
  assert.equal(problem['requestId'], response.headers['x-request-id']);
  assert.doesNotMatch(response.body, /\bat .+:\d+:\d+|node_modules|\/srv\/|fastify|express|hono|SyntaxError|Unexpected token/i);
  return problem;
}

for (const driver of DRIVERS) {
  describe(`problem+json for every error [${driver.name}]`, () => {
    it('404 for an unknown route, with the path as instance', async () => {
      const { app } = await harden(driver);
      const problem = assertProblem(await app.request({ url: '/no/such/route?q=1' }), 404, 'NOT_FOUND');
      assert.equal(problem['instance'], '/no/such/route');
    });

    it('500 hides the message and stack in production, and logs them with the request id', async () => {
      const { app, logs } = await harden(driver);
      const response = await app.request({ url: '/boom', headers: { 'x-request-id': 'boom-1' } });
      const problem = assertProblem(response, 500, 'INTERNAL_ERROR');
      assert.ok(!response.body.includes('hunter2') && !response.body.includes('ECONNREFUSED'));
      assert.match(String(problem['detail']), /request id/);
      await settle();
      const line = logs.accessLines.find((entry) => entry['reqId'] === 'boom-1');
      assert.equal(line?.['level'], 'error');
      assert.equal((line?.['err'] as { message?: string } | undefined)?.message, INTERNAL_SECRET_MESSAGE);
      assert.equal(logs.accessLines.filter((entry) => entry['reqId'] === 'boom-1').length, 1, 'one line, not two');
    });

    it('500 shows the real message in development only', async () => {
      const { app } = await harden(driver, { profile: 'development' });
      const problem = (await app.request({ url: '/boom' })).json();
      assert.equal(problem['detail'], INTERNAL_SECRET_MESSAGE);
    });

    it("an AppError keeps its status, code and the app's detail", async () => {
      const { app } = await harden(driver);
      const problem = assertProblem(await app.request({ url: '/conflict' }), 409, 'CONFLICT');
      assert.equal(problem['detail'], 'A note with this title already exists.');
    });

    it('422 with field errors as JSON pointers', async () => {
      const { app } = await harden(driver);
      const problem = assertProblem(await app.request({ url: '/invalid' }), 422, 'VALIDATION_FAILED');
      assert.deepEqual(problem['errors'], [{ pointer: '#/query/limit', detail: 'must be at most 100' }]);
    });

    it('400 MALFORMED_JSON for a broken JSON body, without the parser message', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, body: '{"a":' });
      assertProblem(response, 400, 'MALFORMED_JSON');
    });

    it('413 for a body over the limit', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, body: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}` });
      assertProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('415 for a content type the route does not parse', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-unknown' }, body: 'x' });
      assertProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a JSON __proto__ key cannot pollute prototypes', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, body: '{"__proto__":{"polluted":true}}' });
      assert.ok(response.status === 400 || response.status === 200, String(response.status));
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      if (response.status === 400) assertProblem(response, 400, 'MALFORMED_JSON');
    });
  });
}

// Only drivers on a Node socket: fetch and Hono handlers get a parsed URL from their runtime.
for (const driver of DRIVERS.filter((candidate) => candidate.onSocket)) {
  describe(`request targets the router cannot parse [${driver.name}]`, () => {
    it('are answered as problems with a request id, not by the framework’s own page', async () => {
      const { app } = await harden(driver);
      const port = await (app.listen as () => Promise<number>)();
      // `//#…` and `#…` leave Express's router with no path: it would skip every middleware.
      for (const target of ['//#@!', '#x', '//?#']) {
        const response = await rawExchange(port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
        assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/, `${target} → ${response.status} ${response.body.slice(0, 80)}`);
        assert.match(response.headers['x-request-id'] ?? '', /^[A-Za-z0-9._:-]{1,128}$/);
        assert.equal(response.headers['x-content-type-options'], 'nosniff');
      }
    });
  });
}
