import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { Secret, redisCheck, runCheck } from 'rampart';
import { REDIS_URL, requireRedis } from '../../support/services.js';
import { clientSockets, closedPort, leaks, settle, silentServer, type SilentServer } from './silent-server.js';

/** A private redis-server with a password, on a free port; stopped after the suite. */
async function privateRedis(password: string): Promise<{ port: number; stop(): void }> {
  const port = await closedPort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', password], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
    });
    if (up) return { port, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error('private redis-server did not start');
}

describe('redisCheck against a real Redis', () => {
  let silent: SilentServer;
  let guarded: { port: number; stop(): void } | undefined;

  before(async () => {
    silent = await silentServer();
  });

  after(async () => {
    guarded?.stop();
    await silent.close();
  });

  it('passes when Redis answers PING, by URL or through the app’s client', async (t) => {
    if (!(await requireRedis(t))) return;
    const byUrl = await runCheck(redisCheck({ url: new Secret(REDIS_URL) }));
    assert.deepEqual([byUrl.status, byUrl.output], ['pass', 'PONG']);
    const client = new Redis(REDIS_URL, { lazyConnect: true });
    try {
      await client.connect();
      const byClient = await runCheck(redisCheck({ client }));
      assert.deepEqual([byClient.status, byClient.output], ['pass', 'PONG']);
      assert.equal(client.status, 'ready', 'the app’s client is left connected');
    } finally {
      client.disconnect();
    }
  });

  it('fails fast on a refused connection, without retrying until the timeout', async () => {
    const port = await closedPort();
    const started = performance.now();
    const result = await runCheck(redisCheck({ url: `redis://:hunter2@127.0.0.1:${port}`, timeoutMs: 2000 }));
    assert.deepEqual([result.status, result.output, result.remedy], ['fail', 'connection refused', 'check REDIS_URL and that Redis is running and reachable']);
    assert.ok(performance.now() - started < 500, 'no reconnect loop');
    assert.deepEqual(leaks(`${result.output} ${result.remedy}`, 'hunter2', '127.0.0.1', port), []);
  });

  it('reports a wrong password as an authentication failure, without the password', async (t) => {
    if (!(await requireRedis(t))) return;
    guarded = await privateRedis('correct-horse-battery');
    const wrong = await runCheck(redisCheck({ url: `redis://:wrong-password@127.0.0.1:${guarded.port}`, setting: 'CACHE_URL' }));
    assert.deepEqual([wrong.status, wrong.output, wrong.remedy], ['fail', 'authentication failed', 'check the password (and user) in CACHE_URL']);
    assert.deepEqual(leaks(`${wrong.output} ${wrong.remedy}`, 'wrong-password', guarded.port), []);
    const missing = await runCheck(redisCheck({ url: `redis://127.0.0.1:${guarded.port}` }));
    assert.equal(missing.output, 'authentication failed');
    const right = await runCheck(redisCheck({ url: `redis://:correct-horse-battery@127.0.0.1:${guarded.port}` }));
    assert.equal(right.status, 'pass');
  });

  it('times out on a server that accepts and never answers, and destroys its socket', async () => {
    await settle();
    const baseline = clientSockets(silent);
    const started = performance.now();
    const result = await runCheck(redisCheck({ url: `redis://127.0.0.1:${silent.port}`, timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    assert.deepEqual([result.status, result.output], ['fail', 'timed out after 300 ms']);
    assert.ok(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
    assert.ok(silent.open.size >= 1, 'the check did reach the server');
    await settle();
    assert.ok(clientSockets(silent) <= baseline, 'no half-open socket left to the hung server');
  });

  it('times out through an app client whose server hangs', async () => {
    const client = new Redis(`redis://127.0.0.1:${silent.port}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      const result = await runCheck(redisCheck({ client, timeoutMs: 300 }));
      assert.deepEqual([result.status, result.output], ['fail', 'timed out after 300 ms']);
    } finally {
      client.disconnect();
    }
  });
});
