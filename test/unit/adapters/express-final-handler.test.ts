import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { rampart } from 'rampart/express';
import { LogCapture } from '../../support/capture-log.js';
import { rawExchange } from '../../support/hostile.js';

describe('Express: attach() puts Rampart in place of Express’s final handler', () => {
  it('answers a target the router cannot parse, and an error no handler took, as problems; routes still work', async () => {
    const logs = new LogCapture();
    const guard = rampart({ profile: 'production', log: { destination: logs, level: 'info' }, shutdown: { signals: [], handleUncaught: false } });
    const app = express();
    app.use(guard.middleware);
    app.get('/ok', (_req, res) => void res.json({ ok: true }));
    app.get('/boom', () => {
      throw new Error('db password leaked in message');
    });
    // No notFound or errorHandler mounted: the final handler is all that stands between the client and Express's HTML.
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    guard.attach(server);
    const port = (server.address() as AddressInfo).port;
    try {
      const raw = (target: string) => rawExchange(port, Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
      const unparsable = await raw('//#@!');
      assert.equal(unparsable.status, 404);
      assert.equal(unparsable.json<{ code: string }>().code, 'NOT_FOUND');
      assert.match(unparsable.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(unparsable.headers['x-frame-options'], 'DENY');
      const boom = await raw('/boom');
      assert.equal(boom.status, 500);
      assert.match(boom.headers['content-type'] ?? '', /^application\/problem\+json/);
      assert.ok(!boom.body.includes('db password'), 'no library or error message reaches the client');
      assert.equal((await raw('/ok')).status, 200);
      assert.deepEqual(logs.accessLines.map((line) => line['status']), [404, 500, 200], 'one access line each');
    } finally {
      server.close();
      await guard.rampart.close();
    }
  });
});
