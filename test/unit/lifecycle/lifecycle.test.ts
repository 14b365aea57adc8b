import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRampart, type RampartOptions, type ShutdownOptions } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

// The tests stand SIGUSR2 in for SIGTERM. Node 24's test runner turns
// report-on-signal on in its children, so each emitted SIGUSR2 would also
// write a diagnostic report into the working directory.
process.report.reportOnSignal = false;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(shutdown: ShutdownOptions, routes: (app: FastifyInstance) => void = () => undefined) {
  const logs = new LogCapture();
  const exits: number[] = [];
  let onExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (onExit = resolve));
  const options: RampartOptions = {
    profile: 'test',
    log: { destination: logs, level: 'info' },
    health: { processChecks: false },
    shutdown: { signals: ['SIGUSR2'], handleUncaught: false, ...shutdown, exit: (code) => (exits.push(code), onExit(code)) },
  };
  const app = Fastify();
  await app.register(rampart, options);
  app.get('/fast', async () => ({ ok: true }));
  app.get('/slow', async () => {
    await sleep(400);
    return { slow: true };
  });
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { app, port, logs, exits, exited };
}

describe('graceful shutdown', () => {
  it('fails readiness at once, serves through the delay with Connection: close, refuses after, finishes in-flight work, exits 0', async () => {
    const { app, port, logs, exited } = await serve({ delayMs: 300, drainTimeoutMs: 3000 });
    const order: string[] = [];
    app.rampart.lifecycle.onClose(() => void order.push('pool'), 'pool').onClose(async () => {
      await sleep(10);
      order.push('cache');
    }, 'cache');
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    assert.equal((await get(port, '/ready', agent)).status, 200);

    const slow = get(port, '/slow');
    await sleep(50);
    const started = performance.now();
    process.emit('SIGUSR2', 'SIGUSR2');

    const ready = await get(port, '/ready', agent);
    assert.equal(ready.status, 503, 'readiness fails at once');
    assert.equal(ready.headers['connection'], 'close', 'keep-alive clients are told to reconnect');
    const during = await get(port, '/fast', agent);
    assert.equal(during.status, 200, 'still serving during the delay');
    assert.equal(during.headers['connection'], 'close');
    assert.equal((await get(port, '/health/live')).status, 200, 'liveness stays up');

    await sleep(350);
    await assert.rejects(get(port, '/fast'), { code: 'ECONNREFUSED' }, 'no new connections after the delay');
    const slowReply = await slow;
    assert.equal(slowReply.status, 200, 'the in-flight request finished');
    assert.equal(await exited, 0);
    assert.ok(performance.now() - started < 2000);
    assert.deepEqual(order, ['cache', 'pool'], 'close hooks run in reverse order');
    const messages = logs.lines.map((line) => line['msg']);
    assert.ok(messages.includes('shutdown started: readiness now fails'));
    assert.ok(messages.includes('shutdown complete'));
    assert.equal(logs.lines.find((line) => line['msg'] === 'shutdown complete')?.['exitCode'], 0);
    agent.destroy();
  });

  it('cuts requests still running at the deadline and exits 1 with a log line', async () => {
    const { port, logs, exited } = await serve({ delayMs: 0, drainTimeoutMs: 200 }, (app) => {
      app.get('/hang', () => new Promise(() => undefined));
    });
    const hung = get(port, '/hang').catch((error: NodeJS.ErrnoException) => error.code);
    await sleep(30);
    const started = performance.now();
    process.emit('SIGUSR2', 'SIGUSR2');
    assert.equal(await exited, 1);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 190 && elapsed < 1500, `exited after ${Math.round(elapsed)} ms`);
    assert.equal(await hung, 'ECONNRESET');
    assert.ok(logs.lines.some((line) => line['msg'] === 'drain deadline passed: remaining connections were closed' && line['level'] === 'error'));
  });

  it('a second signal exits 1 at once', async () => {
    const { logs, exits, exited } = await serve({ delayMs: 300 });
    process.emit('SIGUSR2', 'SIGUSR2');
    await sleep(20);
    process.emit('SIGUSR2', 'SIGUSR2');
    assert.deepEqual(exits, [1]);
    assert.ok(logs.lines.some((line) => line['msg'] === 'second signal during shutdown: exiting now'));
    // The first shutdown still runs to its end in the background; let it finish.
    await exited;
  });

  it('a failing or hanging close hook is logged, does not stop the others, and makes the exit code 1', async () => {
    const { app, logs, exited } = await serve({ delayMs: 0, hookTimeoutMs: 100 });
    const ran: string[] = [];
    app.rampart.lifecycle
      .onClose(() => void ran.push('first'), 'first')
      .onClose(() => new Promise(() => undefined), 'stuck')
      .onClose(() => {
        throw new Error('pool already closed');
      }, 'broken');
    process.emit('SIGUSR2', 'SIGUSR2');
    assert.equal(await exited, 1);
    assert.deepEqual(ran, ['first']);
    assert.ok(logs.lines.some((line) => line['msg'] === 'close hook failed' && line['hook'] === 'broken'));
    assert.ok(logs.lines.some((line) => line['msg'] === 'close hook timed out' && line['hook'] === 'stuck'));
  });

  it('sets server timeouts above load balancer idle timeouts', async () => {
    const { app } = await serve({});
    assert.equal(app.server.keepAliveTimeout, 65_000);
    assert.equal(app.server.headersTimeout, 66_000);
    assert.equal(app.server.requestTimeout, 120_000);
    await app.close();
  });

  it('validates its options at construction', () => {
    for (const shutdown of [{ delayMs: -1 }, { drainTimeoutMs: 1.5 }, { signals: ['TERM'] }, { timeouts: { headersTimeoutMs: 200_000 } }, { exit: 'now' }]) {
      assert.throws(() => createRampart({ profile: 'test', shutdown: shutdown as ShutdownOptions }), { code: 'RAMPART_INVALID_OPTION' }, JSON.stringify(shutdown));
    }
  });
});
