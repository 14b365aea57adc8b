import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRIVERS } from './drivers/index.js';
import { harden } from './harness.js';

const VALID = { name: 'Ada', email: 'ada@example.com' };

for (const driver of DRIVERS) {
  describe(`request validation [${driver.name}]`, () => {
    it('passes a valid request and returns the parsed values (coerced, defaulted)', async () => {
      const { app } = await harden(driver);
      const response = await app.request({
        method: 'POST',
        url: '/items/item-42?limit=5',
        headers: { 'content-type': 'application/json', 'x-tenant': 'acme' },
        body: JSON.stringify(VALID),
      });
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(response.json(), { params: { id: 'item-42' }, query: { limit: 5 }, tenant: 'acme', body: { ...VALID, tags: [] } });
    });

    it('422 with one JSON Pointer per failure, across params, query, headers and body', async () => {
      const { app } = await harden(driver);
      const response = await app.request({
        method: 'POST',
        url: '/items/NOT_VALID?limit=500',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: '', email: 'not-an-email', tags: ['a', 'b', 'c', 'd'], isAdmin: true }),
      });
      assert.equal(response.status, 422, response.body);
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
      const problem = response.json<{ code: string; requestId: string; errors: { pointer: string; detail: string }[] }>();
      assert.equal(problem.code, 'VALIDATION_FAILED');
      assert.equal(problem.requestId, response.headers['x-request-id']);
      assert.deepEqual(
        problem.errors.map((error) => error.pointer),
        ['#/params/id', '#/query/limit', '#/headers/x-tenant', '#/body/name', '#/body/email', '#/body/tags', '#/body/isAdmin'],
      );
      for (const error of problem.errors) assert.ok(error.detail.length > 0 && !error.detail.includes('not-an-email'), 'details describe the rule, never echo input');
      assert.equal(problem.errors.find((error) => error.pointer === '#/headers/x-tenant')?.detail, 'Required');
    });

    it('422 pointing at the body itself when it is missing', async () => {
      const { app } = await harden(driver);
      const response = await app.request({ method: 'POST', url: '/items/item-1', headers: { 'x-tenant': 'acme' } });
      assert.equal(response.status, 422, response.body);
      assert.deepEqual(response.json<{ errors: unknown[] }>().errors, [{ pointer: '#/body', detail: 'Required' }]);
    });
  });
}
