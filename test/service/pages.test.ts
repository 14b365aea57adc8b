import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Keyring } from 'rampart';
import { buildService } from '../../examples/service/app.js';
import { LogCapture } from '../support/capture-log.js';
import { Client, PASSWORD } from './client.js';

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const hiddenToken = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('reference service pages', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildService({ rampart: { profile: 'test', log: { destination: new LogCapture() } } });
  });
  after(() => app.close());

  it('serves the sign-in form with a CSRF token and a nonce-based CSP matching its scripts and styles', async () => {
    const browser = new Client(app);
    const page = await browser.get('/login');
    assert.equal(page.status, 200);
    assert.ok(hiddenToken(page.body).length > 20);
    const nonce = /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))?.[1];
    assert.ok(nonce !== undefined && page.body.includes(`<style nonce="${nonce}">`));
    assert.equal(page.headers['cache-control'], 'no-store');
  });

  it('registers and signs in through the forms, redirecting with 303, and signs out', async () => {
    const browser = new Client(app, '10.2.0.1');
    const token = hiddenToken((await browser.get('/login')).body);
    const registered = await browser.request('POST', '/register', form({ email: 'form-user@example.test', password: PASSWORD, _csrf: token }), FORM);
    assert.equal(registered.status, 303);
    assert.equal(registered.headers['location'], '/notes');
    const notes = await browser.get('/notes');
    assert.equal(notes.status, 200);
    assert.match(notes.body, /form-user@example\.test/);
    const created = await browser.request('POST', '/notes', form({ title: '<b>bold</b>', body: 'text', _csrf: hiddenToken(notes.body) }), FORM);
    assert.equal(created.status, 303);
    const listed = (await browser.get('/notes')).body;
    assert.ok(listed.includes('&lt;b&gt;bold&lt;/b&gt;') && !listed.includes('<b>bold</b>'), 'user text is encoded on output');
    const out = await browser.request('POST', '/logout', form({ _csrf: hiddenToken(listed) }), FORM);
    assert.equal(out.status, 303);
    assert.equal((await browser.get('/notes')).headers['location'], '/login');
  });

  it('re-renders the form with one message for a wrong password', async () => {
    const browser = new Client(app, '10.2.0.2');
    const token = hiddenToken((await browser.get('/login')).body);
    const failed = await browser.request('POST', '/login', form({ email: 'nobody@example.test', password: 'whatever-whatever', _csrf: token }), FORM);
    assert.equal(failed.status, 401);
    assert.match(failed.body, /Email or password is incorrect/);
  });

  it('refuses a form without its token, and a cross-site form even with one', async () => {
    const browser = new Client(app, '10.2.0.3');
    const token = hiddenToken((await browser.get('/login')).body);
    const missing = await browser.request('POST', '/login', form({ email: 'a@example.test', password: PASSWORD }), FORM);
    assert.equal(missing.status, 403);
    const crossSite = await browser.request('POST', '/login', form({ email: 'a@example.test', password: PASSWORD, _csrf: token }), { ...FORM, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403);
    assert.equal(crossSite.json()['code'], 'CSRF_REJECTED');
  });

  it('keeps the admin page behind the role', async () => {
    const browser = new Client(app, '10.2.0.4');
    await browser.post('/api/auth/register', { email: 'plain@example.test', password: PASSWORD });
    assert.equal((await browser.get('/admin')).status, 403);
    const me = (await browser.get('/api/auth/me')).json<{ id: string }>();
    await app.services.accounts.setRole(me.id, 'admin');
    const page = await browser.get('/admin');
    assert.equal(page.status, 200);
    assert.match(page.body, /plain@example\.test/);
  });
});

describe('reference service in production', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildService({ rampart: { profile: 'production', keyring: new Keyring(randomBytes(32).toString('base64url')), log: { destination: new LogCapture() } } });
  });
  after(() => app.close());

  it('sends a __Host- session cookie that is Secure, HttpOnly and SameSite', async () => {
    const browser = new Client(app, '10.3.0.1');
    const registered = await browser.post('/api/auth/register', { email: 'prod@example.test', password: PASSWORD });
    const cookie = [registered.headers['set-cookie']].flat().map(String).find((value) => value.startsWith('__Host-session='));
    assert.ok(cookie !== undefined, String(registered.headers['set-cookie']));
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/i);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Domain=/i);
  });

  it('does not serve the docs, and hides metrics and status without the admin token', async () => {
    const client = new Client(app, '10.3.0.2');
    assert.equal((await client.get('/docs')).status, 404);
    assert.equal((await client.get('/docs/openapi.json')).status, 404);
    assert.notEqual((await client.get('/metrics')).status, 200);
    assert.notEqual((await client.get('/status')).status, 200);
  });
});
