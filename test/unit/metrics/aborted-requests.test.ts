import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { rampart as expressRampart } from 'rampart/express';
import { rampart as fastifyRampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

const slow = async (): Promise<{ ok: boolean }> => {
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { ok: true };
};

/** Sends a request and hangs up before the answer, as an impatient client or a proxy timeout does. */
async function abandon(port: number): Promise<void> {
  const req = request({ host: '127.0.0.1', port, path: '/slow' });
  req.on('error', () => undefined);
  req.end();
  await new Promise((resolve) => setTimeout(resolve, 60));
  req.destroy();
  await new Promise((resolve) => setTimeout(resolve, 400));
}

async function assertRecorded(core: { readonly metrics: { render(): Promise<{ body: string }> } | undefined }, logs: LogCapture): Promise<void> {
  const text = (await core.metrics?.render())?.body ?? '';
  assert.match(text, /^http_server_active_requests 0$/m, 'the in-flight gauge does not drift');
  assert.match(text, /^http_server_request_duration_seconds_count\{http_request_method="GET",http_route="\/slow",http_response_status_code="499"\} 1$/m);
  const lines = logs.accessLines.filter((line) => line['path'] === '/slow');
  assert.equal(lines.length, 1, 'one access line, even though the handler finished later');
  assert.equal(lines[0]?.['status'], 499);
}

describe('requests the client abandons', () => {
  it('fastify: recorded once as 499', async () => {
    const logs = new LogCapture();
    const app = Fastify();
    await app.register(fastifyRampart, { profile: 'test', log: { destination: logs, level: 'info' }, shutdown: { signals: [], handleUncaught: false } });
    app.get('/slow', slow);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      await abandon((app.server.address() as AddressInfo).port);
      await assertRecorded(app.rampart, logs);
    } finally {
      await app.close();
    }
  });

  it('fastify: on a kept-alive connection, earlier answered requests keep their status and pipelined ones are each recorded', async () => {
    const logs = new LogCapture();
    const app = Fastify();
    await app.register(fastifyRampart, { profile: 'test', log: { destination: logs, level: 'info' }, shutdown: { signals: [], handleUncaught: false } });
    app.get('/fast', async () => ({ ok: true }));
    app.get('/slow', slow);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const socket = connect((app.server.address() as AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write('GET /fast HTTP/1.1\r\nHost: a\r\n\r\n');
      await once(socket, 'data');
      // Two requests in one write: the second arrives while the first is unanswered.
      socket.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /slow?second HTTP/1.1\r\nHost: a\r\n\r\n');
      await new Promise((resolve) => setTimeout(resolve, 60));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.deepEqual(logs.accessLines.map((line) => [line['path'], line['status']]), [['/fast', 200], ['/slow', 499], ['/slow', 499]]);
      assert.match((await app.rampart.metrics?.render())?.body ?? '', /^http_server_active_requests 0$/m, 'the in-flight gauge does not drift');
    } finally {
      await app.close();
    }
  });

  it('express: recorded once as 499', async () => {
    const logs = new LogCapture();
    const guard = expressRampart({ profile: 'test', log: { destination: logs, level: 'info' } });
    const app = express();
    app.use(guard.middleware);
    app.get('/slow', async (_req, res) => void res.json(await slow()));
    const server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await abandon((server.address() as AddressInfo).port);
      await assertRecorded(guard.rampart, logs);
    } finally {
      server.close();
      await guard.rampart.close();
    }
  });
});
