import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import * as Sentry from '@sentry/node';
import Fastify from 'fastify';
import { ConflictError, sentryErrorTracker, setUser } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

interface Envelope {
  path: string;
  items: { header: Record<string, unknown>; payload: Record<string, unknown> }[];
}

/** A local stand-in for Sentry's ingest: collects the envelopes the SDK posts. No external network. */
async function envelopeSink(): Promise<{ port: number; envelopes: Envelope[] }> {
  const envelopes: Envelope[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const lines = body.toString('utf8').split('\n').filter((line) => line.trim() !== '');
      const items: Envelope['items'] = [];
      for (let i = 1; i + 1 < lines.length; i += 2) items.push({ header: JSON.parse(lines[i] as string), payload: JSON.parse(lines[i + 1] as string) });
      envelopes.push({ path: request.url ?? '', items });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, envelopes };
}

describe('Sentry error tracking through @sentry/node', () => {
  it('sends 5xx with request id, route, user and cause chain to the DSN; 4xx stay local', async () => {
    const sink = await envelopeSink();
    Sentry.init({ dsn: `http://public@127.0.0.1:${sink.port}/42`, tracesSampleRate: 0, defaultIntegrations: false });
    const app = Fastify();
    await app.register(rampart, { profile: 'production', log: { destination: new LogCapture() }, securityLog: false, errorTracker: sentryErrorTracker(Sentry) });
    app.get('/notes/:id', async () => {
      setUser('user-7');
      throw new Error('query failed', { cause: new Error('connection terminated unexpectedly') });
    });
    app.get('/conflict', async () => {
      throw new ConflictError('Taken.');
    });
    await app.ready();

    const failed = await app.inject({ url: '/notes/9', headers: { 'x-request-id': 'sentry-req-1' } });
    assert.equal(failed.statusCode, 500);
    assert.equal((await app.inject({ url: '/conflict' })).statusCode, 409);
    await app.close(); // flushes the tracker
    assert.equal(await Sentry.flush(2000), true);

    const events = sink.envelopes.flatMap((envelope) => envelope.items.filter((item) => item.header['type'] === 'event').map((item) => ({ path: envelope.path, event: item.payload })));
    assert.equal(events.length, 1, 'one event: the 500, not the 409');
    const { path, event } = events[0] as { path: string; event: Record<string, unknown> };
    assert.match(path, /^\/api\/42\/envelope\/\?.*sentry_key=public/);
    const exception = (event['exception'] as { values: { type: string; value: string }[] }).values;
    assert.ok(exception.some((value) => value.value === 'query failed'));
    const tags = event['tags'] as Record<string, string>;
    assert.equal(tags['request_id'], 'sentry-req-1');
    assert.equal(tags['http.route'], '/notes/:id');
    assert.equal(tags['http.status_code'], '500');
    assert.equal(tags['rampart.kind'], 'request');
    assert.deepEqual(event['user'], { id: 'user-7' });
    const contexts = event['contexts'] as Record<string, Record<string, unknown>>;
    assert.equal(contexts['request']?.['method'], 'GET');
    assert.equal(contexts['request']?.['path'], '/notes/9');
    assert.deepEqual(contexts['causes']?.['chain'], ['Error: query failed', 'Error: connection terminated unexpectedly']);
    assert.equal(event['level'], 'error');
  });
});
