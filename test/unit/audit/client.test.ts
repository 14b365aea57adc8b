import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { ProbeClient, ProbeError, type ClientOptions } from '../../../src/audit/http/client.js';
import { close, listen } from '../../fixtures/audit/node-server.js';

/** The probe client's safety limits, shown against real loopback servers. */

const servers: Server[] = [];
after(() => Promise.all(servers.map(close)));

async function serve(handler: Parameters<typeof createHttpServer>[1]): Promise<string> {
  const server = createHttpServer(handler);
  servers.push(server);
  return `http://127.0.0.1:${await listen(server)}`;
}

function client(origin: string, overrides: Partial<ClientOptions> = {}): ProbeClient {
  return new ProbeClient({ origin: new URL(origin), maxRequests: 10, timeoutMs: 2000, deadline: Date.now() + 10_000, maxBodyBytes: 1024, userAgent: 'test', ...overrides });
}

const rejectsWith = async (promise: Promise<unknown>, kind: ProbeError['kind']): Promise<void> => {
  await assert.rejects(promise, (error: unknown) => error instanceof ProbeError && error.kind === kind);
};

describe('probe client limits', () => {
  it('refuses any host but the target, before connecting', async () => {
    let hits = 0;
    const origin = await serve((_, response) => void (hits++, response.end()));
    const probe = client(origin);
    await rejectsWith(probe.send({ probe: 't', method: 'GET', path: 'http://example.com/' }), 'off-host');
    await rejectsWith(probe.send({ probe: 't', method: 'GET', path: '//localhost/' }), 'off-host');
    assert.equal(probe.sent, 0);
    assert.equal(hits, 0);
    probe.close();
  });

  it('stops at the request budget', async () => {
    let hits = 0;
    const origin = await serve((_, response) => void (hits++, response.end('ok')));
    const probe = client(origin, { maxRequests: 3 });
    for (let i = 0; i < 3; i++) await probe.send({ probe: 't', method: 'GET', path: '/' });
    await rejectsWith(probe.send({ probe: 't', method: 'GET', path: '/' }), 'budget');
    assert.equal(hits, 3);
    probe.close();
  });

  it('gives up on a server that accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const tcp = createTcpServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const port = (tcp.address() as { port: number }).port;
    const probe = client(`http://127.0.0.1:${port}`, { timeoutMs: 300 });
    const started = performance.now();
    await rejectsWith(probe.send({ probe: 't', method: 'GET', path: '/' }), 'timeout');
    assert.ok(performance.now() - started < 1500, 'the timeout held');
    probe.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => tcp.close(resolve));
  });

  it('sends nothing after the run deadline', async () => {
    let hits = 0;
    const origin = await serve((_, response) => void (hits++, response.end()));
    const probe = client(origin, { deadline: Date.now() - 1 });
    await rejectsWith(probe.send({ probe: 't', method: 'GET', path: '/' }), 'deadline');
    assert.equal(hits, 0);
    probe.close();
  });

  it('reads at most maxBodyBytes of an endless body', async () => {
    const origin = await serve((_, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 0x78);
      const timer = setInterval(() => response.write(chunk), 1);
      response.on('close', () => clearInterval(timer));
    });
    const probe = client(origin, { maxBodyBytes: 4096 });
    const response = await probe.send({ probe: 't', method: 'GET', path: '/' });
    assert.equal(response.body.length, 4096);
    assert.equal(response.truncated, true);
    probe.close();
  });

  it('keeps every Set-Cookie and CSP line separate', async () => {
    const origin = await serve((_, response) => {
      response.setHeader('set-cookie', ['a=1; Secure', 'b=2; HttpOnly']);
      response.appendHeader('content-security-policy', "default-src 'self'");
      response.appendHeader('content-security-policy', "script-src 'none'");
      response.end();
    });
    const probe = client(origin);
    const response = await probe.send({ probe: 't', method: 'GET', path: '/' });
    assert.deepEqual(response.headers.all('set-cookie'), ['a=1; Secure', 'b=2; HttpOnly']);
    assert.deepEqual(response.headers.all('content-security-policy'), ["default-src 'self'", "script-src 'none'"]);
    probe.close();
  });
});
