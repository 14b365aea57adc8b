import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { createRampart, type ShutdownOptions } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

const HEADERS_TIMEOUT_MS = 800;
const REQUEST_TIMEOUT_MS = 1200;
/** The check interval (a quarter of the shortest timeout here) plus scheduling slack. */
const SLACK_MS = 700;
const shutdown: ShutdownOptions = { signals: [], handleUncaught: false, timeouts: { keepAliveTimeoutMs: 500, headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS } };

/** Sends `head`, then one more byte of `trickle` every 100 ms; resolves when the server closes the connection. */
function slowClient(port: number, head: string, trickle: string): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setInterval(() => socket.writable && socket.write(trickle), 100);
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: performance.now() - started, answer });
    });
  });
}

function assertCutOff(result: { ms: number; answer: string }, timeoutMs: number, what: string): void {
  assert.match(result.answer, /^HTTP\/1\.1 408 /, what);
  assert.match(result.answer, /"code":"REQUEST_TIMEOUT"/, what);
  assert.ok(result.ms >= timeoutMs - 50, `${what}: cut at ${Math.round(result.ms)} ms, before its ${timeoutMs} ms`);
  assert.ok(result.ms < timeoutMs + SLACK_MS, `${what}: cut at ${Math.round(result.ms)} ms, not within ${SLACK_MS} ms of its ${timeoutMs} ms timeout`);
}

// Node checks these timeouts on a 30-second timer by default; a server
// attached after it listened kept that timer, so a 0.8 s headers timeout cut
// a slowloris client after up to 30.8 s.
describe('server timeouts hold to their setting, not to Node 30-second check interval', () => {
  it('Fastify (attached once listening): slow headers and a slow body get 408 on time', async () => {
    const app = Fastify();
    await app.register(rampart, { profile: 'test', log: { destination: new LogCapture() }, health: { processChecks: false }, shutdown });
    app.post('/', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const [headers, body] = await Promise.all([
        slowClient(port, 'GET / HTTP/1.1\r\nHost: a\r\n', 'x'),
        slowClient(port, 'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', ' '),
      ]);
      assertCutOff(headers, HEADERS_TIMEOUT_MS, 'slow headers');
      assertCutOff(body, REQUEST_TIMEOUT_MS, 'slow body');
    } finally {
      await app.close();
    }
  });

  it('a bare node:http server attached before it listens: a silent connection gets 408 on time', async () => {
    const core = createRampart({ profile: 'test', log: { destination: new LogCapture() }, health: { processChecks: false }, shutdown });
    const server = createServer((_request, response) => response.end('ok'));
    server.on('clientError', core.handleClientError);
    core.lifecycle.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      assertCutOff(await slowClient(port, '', ''), HEADERS_TIMEOUT_MS, 'silent connection');
    } finally {
      server.close();
      await core.close();
    }
  });
});
