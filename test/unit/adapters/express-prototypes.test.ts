import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import express, { type Express } from 'express';
import { rampart } from 'rampart/express';
import { LogCapture } from '../../support/capture-log.js';

// The Express adapter keeps nothing on `req` or `res` per request: `req.rampart`
// and the writeHead hook live on Express's shared prototypes. These tests hold
// that the hooks reach every place a response can start (mounted sub-apps
// included), on Express 5 and 4, and nowhere Rampart was not mounted.

const express4 = createRequire(import.meta.url)('express4') as typeof express;
const API_CSP = "default-src 'none'; frame-ancestors 'none'; form-action 'none'";
const servers: Server[] = [];
after(() => servers.forEach((server) => server.close()));

async function serve(listener: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(listener).listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function guarded(): { guard: ReturnType<typeof rampart>; logs: LogCapture } {
  const logs = new LogCapture();
  const guard = rampart({ profile: 'production', log: { destination: logs, level: 'info' }, shutdown: { signals: [], handleUncaught: false } });
  after(() => guard.rampart.close());
  return { guard, logs };
}

for (const [version, make] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  describe(`${version}: Rampart's hooks on the shared prototypes`, () => {
    it('sets the headers for the final content type, exposes req.rampart, and logs the route, in the app and in a mounted sub-app', async () => {
      const { guard, logs } = guarded();
      const app: Express = make();
      const sub: Express = make();
      sub.get('/items/:id', (req, res) => void res.json({ id: req.params['id'], requestId: req.rampart.requestId }));
      app.use(guard.middleware);
      app.get('/page', (req, res) => void res.type('html').send(`<script nonce="${req.rampart.cspNonce}"></script>`));
      app.use('/sub', sub);
      app.use(guard.notFound);
      app.use(guard.errorHandler);
      const base = await serve(app);

      const json = await fetch(`${base}/sub/items/7`);
      const body = (await json.json()) as { id: string; requestId: string };
      assert.equal(body.id, '7');
      assert.equal(body.requestId, json.headers.get('x-request-id'), 'req.rampart inside the sub-app is the request’s state');
      assert.equal(json.headers.get('content-security-policy'), API_CSP, 'the writeHead hook ran while the sub-app’s prototype was on res');
      assert.equal(json.headers.get('x-powered-by'), null);

      const page = await fetch(`${base}/page`);
      const html = await page.text();
      const nonce = /nonce="([^"]+)"/.exec(html)?.[1] ?? '';
      assert.ok(nonce.length >= 22, 'a nonce was issued');
      assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`script-src 'nonce-${nonce.replace(/[+/=]/g, '\\$&')}'`));
      assert.equal(page.headers.get('x-powered-by'), null);

      const missing = await fetch(`${base}/nope`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { requestId: string }).requestId, missing.headers.get('x-request-id'));

      assert.deepEqual(
        logs.accessLines.map((line) => [line['route'], line['status']]),
        [
          ['/sub/items/:id', 200],
          ['/page', 200],
          ['UNMATCHED', 404],
        ],
      );
    });

    it('adds nothing to an app in the same process that did not mount Rampart', async () => {
      const { guard } = guarded();
      const hardened: Express = make();
      hardened.use(guard.middleware);
      hardened.get('/', (_req, res) => void res.json({}));
      await fetch(await serve(hardened)); // the shared prototypes are hooked from here on
      const plain: Express = make();
      plain.get('/', (req, res) => void res.json({ rampart: (req as { rampart?: unknown }).rampart ?? null }));
      const response = await fetch(await serve(plain));
      assert.deepEqual(await response.json(), { rampart: null });
      assert.equal(response.headers.get('x-request-id'), null);
      assert.equal(response.headers.get('content-security-policy'), null);
      assert.equal(response.headers.get('x-powered-by'), 'Express', 'only apps that mount Rampart have X-Powered-By turned off');
    });
  });
}

describe('Express middleware on a bare node:http request', () => {
  it('hooks the response itself: headers for the final content type, and req.rampart', async () => {
    const { guard } = guarded();
    const base = await serve((req, res) =>
      guard.middleware(req as express.Request, res as express.Response, () => {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(String((req as express.Request).rampart.requestId));
      }),
    );
    const response = await fetch(base);
    assert.equal(await response.text(), response.headers.get('x-request-id'));
    assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'|script-src 'nonce-|default-src 'self'/);
    assert.notEqual(response.headers.get('content-security-policy'), API_CSP, 'the HTML policy, chosen at writeHead');
  });
});
