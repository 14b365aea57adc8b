import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildService } from '../../examples/service/app.js';
import { LogCapture } from '../support/capture-log.js';
import { Client, PASSWORD, type Reply } from './client.js';
import { DATABASE_MODES } from './databases.js';

function assertProblem(reply: Reply, status: number, code: string): Record<string, unknown> {
  assert.equal(reply.status, status, reply.body);
  assert.match(String(reply.headers['content-type']), /application\/problem\+json/);
  const problem = reply.json();
  assert.equal(problem['code'], code);
  assert.equal(problem['requestId'], reply.headers['x-request-id']);
  return problem;
}

let counter = 0;
const email = (): string => `user${++counter}-${process.pid}@example.test`;

for (const mode of DATABASE_MODES) {
  describe(`reference service API [${mode.name}]`, () => {
    let app: FastifyInstance;
    let logs: LogCapture;
    let ready = false;
    let drop: (() => Promise<void>) | undefined;

    before(async (t) => {
      const database = await mode.create(t as never);
      if (database === undefined) return;
      drop = database.drop;
      logs = new LogCapture();
      app = await buildService({ databaseUrl: database.url, rampart: { profile: 'test', log: { destination: logs, level: 'info' } } });
      ready = true;
    });
    after(async () => {
      if (ready) await app.close();
      await drop?.();
    });

    /** A signed-in browser client with a CSRF token. */
    async function browser(ip?: string): Promise<Client> {
      const client = new Client(app, ip);
      const registered = await client.post('/api/auth/register', { email: email(), password: PASSWORD });
      assert.equal(registered.status, 201, registered.body);
      await client.refreshCsrf();
      return client;
    }

    it('registers, signs in with a session cookie, and signs out', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const client = new Client(app, '10.1.0.1');
      const address = email();
      const registered = await client.post('/api/auth/register', { email: address, password: PASSWORD });
      assert.equal(registered.status, 201);
      assert.equal(registered.json()['email'], address);
      assert.equal(registered.json()['password_hash'], undefined);
      assert.equal((await client.get('/api/auth/me')).json()['email'], address);
      await client.refreshCsrf();
      assert.equal((await client.post('/api/auth/logout')).status, 204);
      assertProblem(await client.get('/api/auth/me'), 401, 'UNAUTHORIZED');
      // The old token was bound to the ended session: a page fetches a new one.
      assertProblem(await client.post('/api/auth/login', { email: address, password: PASSWORD }), 403, 'CSRF_REJECTED');
      await client.refreshCsrf();
      const again = await client.post('/api/auth/login', { email: address.toUpperCase(), password: PASSWORD });
      assert.equal(again.status, 200, 'emails compare case-insensitively');
    });

    it('refuses a duplicate email with 409 and weak or malformed input with 422 field errors', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const client = new Client(app, '10.1.0.2');
      const address = email();
      await client.post('/api/auth/register', { email: address, password: PASSWORD });
      assertProblem(await new Client(app, '10.1.0.2').post('/api/auth/register', { email: address, password: PASSWORD }), 409, 'CONFLICT');
      const invalid = assertProblem(await new Client(app, '10.1.0.3').post('/api/auth/register', { email: 'not-an-email', password: 'short' }), 422, 'VALIDATION_FAILED');
      assert.deepEqual((invalid['errors'] as { pointer: string }[]).map((error) => error.pointer).sort(), ['#/body/email', '#/body/password']);
    });

    it('gives the same answer for an unknown account and a wrong password', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const address = email();
      await new Client(app, '10.1.0.4').post('/api/auth/register', { email: address, password: PASSWORD });
      const wrong = assertProblem(await new Client(app, '10.1.0.5').post('/api/auth/login', { email: address, password: 'wrong password!!' }), 401, 'UNAUTHORIZED');
      const unknown = assertProblem(await new Client(app, '10.1.0.6').post('/api/auth/login', { email: `nobody-${address}`, password: 'wrong password!!' }), 401, 'UNAUTHORIZED');
      assert.equal(wrong['detail'], unknown['detail']);
    });

    it('requires authentication on protected routes', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const anonymous = new Client(app, '10.1.0.7');
      for (const url of ['/api/notes', '/api/auth/me', '/api/search?q=abc', '/api/admin/users']) assertProblem(await anonymous.get(url), 401, 'UNAUTHORIZED');
      anonymous.bearer = 'rpt_forged';
      assertProblem(await anonymous.get('/api/notes'), 401, 'UNAUTHORIZED');
    });

    it('runs the notes resource for a bearer-token client, with bounded keyset pages', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const address = email();
      await new Client(app, '10.1.1.1').post('/api/auth/register', { email: address, password: PASSWORD });
      const issued = await new Client(app, '10.1.1.1').post('/api/auth/tokens', { email: address, password: PASSWORD, name: 'ci' });
      assert.equal(issued.status, 201, issued.body);
      const api = new Client(app, '10.1.1.2');
      api.bearer = issued.json<{ token: string }>().token;

      const created = await api.post('/api/notes', { title: 'First', body: 'x' });
      assert.equal(created.status, 201);
      const id = created.json<{ id: string }>().id;
      assert.equal(created.headers['location'], `/api/notes/${id}`);
      for (let i = 2; i <= 5; i++) await api.post('/api/notes', { title: `Note ${i}` });
      const first = (await api.get('/api/notes?limit=2')).json<{ items: { title: string }[]; nextCursor: string }>();
      assert.deepEqual(first.items.map((note) => note.title), ['Note 5', 'Note 4']);
      const second = (await api.get(`/api/notes?limit=2&cursor=${first.nextCursor}`)).json<{ items: { title: string }[]; nextCursor: string | null }>();
      assert.deepEqual(second.items.map((note) => note.title), ['Note 3', 'Note 2']);
      const last = (await api.get(`/api/notes?limit=2&cursor=${second.nextCursor ?? ''}`)).json<{ items: unknown[]; nextCursor: string | null }>();
      assert.equal(last.items.length, 1);
      assert.equal(last.nextCursor, null);
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'cursor=garbage']) assertProblem(await api.get(`/api/notes?${query}`), 422, 'VALIDATION_FAILED');

      assert.equal((await api.patch(`/api/notes/${id}`, { title: 'Renamed' })).json()['title'], 'Renamed');
      assertProblem(await api.patch(`/api/notes/${id}`, {}), 422, 'VALIDATION_FAILED');
      assert.equal((await api.delete(`/api/notes/${id}`)).status, 204);
      assertProblem(await api.get(`/api/notes/${id}`), 404, 'NOT_FOUND');
      assertProblem(await api.get('/api/notes/not-a-uuid'), 422, 'VALIDATION_FAILED');
    });

    it("never shows or changes another user's note", async (t) => {
      if (!ready) return t.skip('database unavailable');
      const owner = await browser('10.1.2.1');
      const id = (await owner.post('/api/notes', { title: 'mine' })).json<{ id: string }>().id;
      const other = await browser('10.1.2.2');
      assertProblem(await other.get(`/api/notes/${id}`), 404, 'NOT_FOUND');
      assertProblem(await other.patch(`/api/notes/${id}`, { title: 'stolen' }), 404, 'NOT_FOUND');
      assertProblem(await other.delete(`/api/notes/${id}`), 404, 'NOT_FOUND');
      assert.equal((await owner.get(`/api/notes/${id}`)).json()['title'], 'mine');
    });

    it('stores text as written: SQL and markup in notes are data, not filtered or executed', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const client = await browser('10.1.2.3');
      const title = "Robert'); DROP TABLE notes;-- <script>alert(1)</script> 100%_match";
      const created = await client.post('/api/notes', { title });
      assert.equal(created.json()['title'], title);
      const found = (await client.get(`/api/search?q=${encodeURIComponent('100%_')}`)).json<{ items: { title: string }[] }>();
      assert.deepEqual(found.items.map((note) => note.title), [title]);
      assert.equal((await client.get(`/api/search?q=${encodeURIComponent('zz%')}`)).json<{ items: unknown[] }>().items.length, 0, 'LIKE wildcards match literally');
      assert.ok((await client.get('/api/notes')).json<{ items: unknown[] }>().items.length >= 1, 'the table is still there');
    });

    it('refuses a cookie-authenticated write without a CSRF token, and a cross-site one with it', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const client = await browser('10.1.3.1');
      const token = client.csrf;
      client.csrf = undefined;
      assertProblem(await client.post('/api/notes', { title: 'forged' }), 403, 'CSRF_REJECTED');
      client.csrf = token;
      assertProblem(await client.post('/api/notes', { title: 'forged' }, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }), 403, 'CSRF_REJECTED');
      assert.equal((await client.post('/api/notes', { title: 'real' })).status, 201);
    });

    it('limits the expensive search to 20 a minute per user', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const client = await browser('10.1.4.1');
      for (let i = 0; i < 20; i++) assert.equal((await client.get('/api/search?q=abc')).status, 200, `search ${i + 1}`);
      const limited = assertProblem(await client.get('/api/search?q=abc'), 429, 'RATE_LIMITED');
      assert.ok(Number(limited['status']) === 429 && Number((await client.get('/api/search?q=abc')).headers['retry-after']) > 0);
      const other = await browser('10.1.4.1');
      assert.equal((await other.get('/api/search?q=abc')).status, 200, 'another user on the same IP is unaffected');
    });

    it('limits sign-in attempts per IP and blocks guessing at one account', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const address = email();
      await new Client(app, '10.1.5.0').post('/api/auth/register', { email: address, password: PASSWORD });
      const attacker = new Client(app, '10.1.5.1');
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attacker.post('/api/auth/login', { email: address, password: `guess-${i}-guess-${i}` })).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
      // The account is now blocked for that IP even with the right password (and the IP is over its auth limit).
      assertProblem(await attacker.post('/api/auth/login', { email: address, password: PASSWORD }), 429, 'RATE_LIMITED');
      assert.equal((await new Client(app, '10.1.5.2').post('/api/auth/login', { email: address, password: PASSWORD })).status, 200, 'the owner elsewhere still signs in');
    });

    it('keeps the admin API behind the admin role, and a role change signs the account out', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const user = await browser('10.1.6.1');
      assertProblem(await user.get('/api/admin/users'), 403, 'FORBIDDEN');
      const me = (await user.get('/api/auth/me')).json<{ id: string }>();
      await app.services.accounts.setRole(me.id, 'admin');
      const users = await user.get('/api/admin/users?limit=5');
      assert.equal(users.status, 200);
      assert.ok(users.json<{ items: unknown[] }>().items.length > 0);
      const target = await browser('10.1.6.2');
      const targetId = (await target.get('/api/auth/me')).json<{ id: string }>().id;
      const changed = await user.patch(`/api/admin/users/${targetId}/role`, { role: 'admin' });
      assert.equal(changed.json()['role'], 'admin');
      assertProblem(await target.get('/api/auth/me'), 401, 'UNAUTHORIZED');
      const audit = logs.lines.find((line) => line['event'] === 'auth.role_change' || line['event'] === 'admin.role_change' || String(line['event']).includes('role'));
      assert.ok(audit !== undefined, 'the role change is in the security log');
    });

    it('publishes OpenAPI from the same schemas, and answers unknown routes with 404 problems', async (t) => {
      if (!ready) return t.skip('database unavailable');
      const client = new Client(app, '10.1.7.1');
      const openapi = (await client.get('/docs/openapi.json')).json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
      assert.match(openapi.openapi, /^3\.1/);
      assert.ok(openapi.paths['/api/notes/{id}']?.['patch'] !== undefined);
      assert.equal((await client.get('/docs')).status, 200);
      assertProblem(await client.get('/api/nope'), 404, 'NOT_FOUND');
    });
  });
}
