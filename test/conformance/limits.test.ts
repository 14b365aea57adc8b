import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS, type TestResponse } from './drivers/index.js';
import { harden } from './harness.js';

const JSON_TYPE = { 'content-type': 'application/json' };

function assertProblem(response: TestResponse, status: number, code: string): Record<string, unknown> {
  assert.equal(response.status, status, response.body.slice(0, 300));
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
  const problem = response.json();
  assert.equal(problem['code'], code);
  assert.equal(problem['requestId'], response.headers['x-request-id']);
  return problem;
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

for (const driver of DRIVERS) {
  describe(`request limits [${driver.name}]`, () => {
    it('413 for a 10 MB body, refused from its declared length', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body: `{"a":"${'x'.repeat(10 * 1024 * 1024)}"}` });
      assertProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('413 for 100-level-deep JSON, while 60 levels parse', async () => {
      const { app } = await harden(driver);
      const problem = assertProblem(await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body: nested(100) }), 413, 'PAYLOAD_TOO_LARGE');
      assert.match(String(problem['detail']), /nests deeper than 64 levels/);
      assert.equal((await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body: nested(60) })).status, 200);
    });

    it('413 for JSON with more keys than the limit', async () => {
      const { app } = await harden(driver);
      const many = JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])));
      const problem = assertProblem(await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body: many }), 413, 'PAYLOAD_TOO_LARGE');
      assert.match(String(problem['detail']), /more than 1000 keys/);
    });

    it('413 for a form with more fields than the limit', async () => {
      const { app } = await harden(driver);
      const form = Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&');
      assertProblem(await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('prototype-pollution payloads are refused and pollute nothing', async () => {
      const { app } = await harden(driver);
      const payloads = [
        '{"__proto__":{"polluted":true}}',
        '{"a":[{"b":{"__proto__":{"polluted":true}}}]}',
        '{"constructor":{"prototype":{"polluted":true}}}',
        '{"\\u005f_proto__":{"polluted":true}}',
        '{"__pro\\u0074o__":{"polluted":true}}',
      ];
      for (const body of payloads) {
        const problem = assertProblem(await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body }), 400, 'MALFORMED_JSON');
        assert.match(String(problem['detail']), /__proto__|constructor\.prototype/, body);
      }
      const form = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '__proto__=x' });
      assertProblem(form, 400, 'BAD_REQUEST');
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
    });

    it('form keys stay flat: bracket syntax cannot build objects or reach prototypes', async () => {
      const { app } = await harden(driver);
      const body = 'constructor[prototype][polluted]=1&a[b]=2&name=x';
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(response.json<{ body: unknown }>().body, { 'constructor[prototype][polluted]': '1', 'a[b]': '2', name: 'x' });
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });

    it('ordinary JSON that merely mentions constructor, or SQL-looking text, passes unchanged', async () => {
      const { app } = await harden(driver);
      const input = { constructor: 'Ford', name: "O'Reilly; DROP TABLE users; --", html: '<script>alert(1)</script>' };
      const response = await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body: JSON.stringify(input) });
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(response.json<{ body: unknown }>().body, input, 'no blacklist "sanitization"');
    });

    // Fastify's string decoding once turned these bytes into U+FFFD and accepted them.
    it('400 for a JSON or form body that is not valid UTF-8, never replaced with U+FFFD', async () => {
      const { app } = await harden(driver);
      const invalid = Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xff]);
      const bodies: [string, Buffer][] = [
        ['application/json', Buffer.concat([Buffer.from('{"name":"'), invalid, Buffer.from('"}')])],
        ['application/x-www-form-urlencoded', Buffer.concat([Buffer.from('name='), invalid])],
      ];
      for (const [type, body] of bodies) {
        const problem = assertProblem(await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': type }, body }), 400, 'BAD_REQUEST');
        assert.equal(problem['detail'], 'The request body is not valid UTF-8.', type);
      }
      const bom = await app.request({ method: 'POST', url: '/echo', headers: JSON_TYPE, body: Buffer.from('\ufeff{"a":1}') });
      assert.equal(bom.status, 200, `a leading BOM may be ignored (RFC 8259 §8.1): ${bom.body}`);
    });

    it('415 for JSON smuggled as text/plain (a CORS "simple" request)', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, body: '{"email":"attacker@example.com"}' });
      const problem = assertProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(String(problem['detail']), /text\/plain/);
    });

    it('415 for a JSON charset other than UTF-8', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' });
      assertProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('accepts JSON with a charset=utf-8 parameter and mixed-case media type', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/echo', headers: { 'content-type': 'Application/JSON; charset=UTF-8' }, body: '{"a":1}' });
      assert.equal(response.status, 200, response.body);
    });

    it('414 for a URL over 8192 characters', async () => {
      const { app } = await harden(driver);
      assertProblem(await app.request({ url: `/json?q=${'a'.repeat(8200)}` }), 414, 'URI_TOO_LONG');
      assert.equal((await app.request({ url: `/json?q=${'a'.repeat(4000)}` })).status, 200);
    });

    it('431 for a 64 KB cookie header, as problem+json', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ url: '/json', headers: { cookie: `big=${'x'.repeat(64 * 1024)}` } });
      assertProblem(response, 431, 'HEADERS_TOO_LARGE');
    });
  });
}
