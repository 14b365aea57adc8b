import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import { diskSpaceCheck, eventLoopCheck, heapCheck, httpCheck, runCheck } from 'rampart';

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

describe('httpCheck', () => {
  it('passes on 2xx with the latency observed, fails on other statuses without naming the URL', async () => {
    let status = 200;
    const server = createServer((_request, response) => response.writeHead(status).end('secret body'));
    const port = await listen(server);
    const check = httpCheck({ url: `http://user:pw@127.0.0.1:${port}/internal/health?token=t` });
    assert.equal(check.name, 'http:127.0.0.1');
    const ok = await runCheck(check);
    assert.equal(ok.status, 'pass');
    assert.equal(ok.observedUnit, 'ms');
    status = 500;
    const failed = await runCheck(check);
    assert.deepEqual({ status: failed.status, output: failed.output }, { status: 'fail', output: 'unexpected status 500' });
    assert.doesNotMatch(JSON.stringify(failed), /internal|token|pw|secret body/);
    server.closeAllConnections();
  });

  it('fails with "unreachable" when nothing listens', async () => {
    const probe = createTcpServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await runCheck(httpCheck({ url: `http://127.0.0.1:${port}/` }));
    assert.deepEqual({ status: result.status, output: result.output }, { status: 'fail', output: 'unreachable' });
  });

  it('times out against a server that accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    const started = performance.now();
    const result = await runCheck(httpCheck({ url: `http://127.0.0.1:${port}/`, timeoutMs: 200 }));
    const elapsed = performance.now() - started;
    assert.equal(result.status, 'fail');
    assert.match(result.output ?? '', /timed out/);
    assert.ok(elapsed < 1000, `gave up after ${Math.round(elapsed)} ms`);
    sockets.forEach((socket) => socket.destroy());
    silent.close();
  });

  it('accepts expected statuses and refuses non-http URLs', async () => {
    const server = createServer((_request, response) => response.writeHead(204).end());
    const port = await listen(server);
    assert.equal((await runCheck(httpCheck({ url: `http://127.0.0.1:${port}/`, expectStatus: [200] }))).status, 'fail');
    assert.equal((await runCheck(httpCheck({ url: `http://127.0.0.1:${port}/`, expectStatus: 204, name: 'billing:health' }))).status, 'pass');
    assert.throws(() => httpCheck({ url: 'file:///etc/passwd' }), { code: 'RAMPART_INVALID_OPTION' });
    assert.throws(() => httpCheck({ url: 'not a url' }), { code: 'RAMPART_INVALID_OPTION' });
    server.closeAllConnections();
  });
});

describe('diskSpaceCheck', () => {
  it('observes free bytes and fails or warns under the thresholds, without naming the path', async () => {
    const pass = await runCheck(diskSpaceCheck({ path: tmpdir(), minFreeBytes: 1, warnFreeBytes: 1 }));
    assert.equal(pass.status, 'pass');
    assert.equal(pass.observedUnit, 'bytes');
    assert.ok(typeof pass.observedValue === 'number' && pass.observedValue > 0);
    const huge = Number.MAX_SAFE_INTEGER;
    const fail = await runCheck({ ...diskSpaceCheck({ path: tmpdir(), minFreeBytes: huge, warnFreeBytes: huge }), critical: true });
    assert.equal(fail.status, 'fail');
    assert.match(fail.output ?? '', /MiB free/);
    assert.doesNotMatch(fail.output ?? '', /tmp/);
    const warn = await runCheck(diskSpaceCheck({ path: tmpdir(), minFreeBytes: 1, warnFreeBytes: huge }));
    assert.equal(warn.status, 'warn');
  });

  it('is non-critical by default, and a missing path fails with a generic output', async () => {
    const check = diskSpaceCheck({ path: '/no/such/dir/for/rampart' });
    assert.equal(check.critical, false);
    const result = await runCheck({ ...check, critical: true });
    assert.deepEqual({ status: result.status, output: result.output }, { status: 'fail', output: 'check failed' });
  });
});

describe('heapCheck and eventLoopCheck', () => {
  it('heap: pass under the limits, fail over them, in percent of the heap limit', async () => {
    const pass = await runCheck(heapCheck());
    assert.equal(pass.status, 'pass');
    assert.equal(pass.observedUnit, 'percent');
    const over = await runCheck({ ...heapCheck({ maxUsedRatio: 0.0001, warnUsedRatio: 0.0001 }), critical: true });
    assert.equal(over.status, 'fail');
    const warned = await runCheck(heapCheck({ maxUsedRatio: 0.0001, warnUsedRatio: 0.0001 }));
    assert.equal(warned.status, 'warn', 'non-critical by default: only degrades');
    assert.throws(() => heapCheck({ maxUsedRatio: 2 }), { code: 'RAMPART_INVALID_OPTION' });
  });

  it('event loop: sees a blocked loop as delay', async () => {
    const check = { ...eventLoopCheck({ maxDelayMs: 150, warnDelayMs: 50 }), critical: true };
    assert.equal((await runCheck(check)).status, 'pass');
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // block the loop
    }
    await new Promise((resolve) => setTimeout(resolve, 15));
    const result = await runCheck(check);
    assert.equal(result.status, 'fail');
    assert.ok(typeof result.observedValue === 'number' && result.observedValue >= 150, `observed ${String(result.observedValue)} ms`);
  });
});
