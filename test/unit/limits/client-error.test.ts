import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { createRampart } from 'rampart';
import { rampart } from 'rampart/fastify';

/** Sends raw bytes and returns everything the server answers before closing. */
async function raw(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.write(request);
  await once(socket, 'close');
  return received;
}

function parse(response: string): { status: number; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

const OVERSIZED = `GET /json HTTP/1.1\r\nHost: localhost\r\nCookie: big=${'x'.repeat(64 * 1024)}\r\n\r\n`;

describe("Node's parser refusals as problem+json", () => {
  it('Fastify: a 64 KB cookie header over maxHeaderSize is a 431 problem with a request id', async () => {
    const app = Fastify();
    await app.register(rampart, { profile: 'production', log: { level: 'silent' } });
    app.get('/json', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    after(() => app.close());
    const response = parse(await raw((app.server.address() as AddressInfo).port, OVERSIZED));
    assert.equal(response.status, 431);
    assert.equal(response.headers['content-type'], 'application/problem+json');
    assert.equal(response.body['code'], 'HEADERS_TOO_LARGE');
    assert.equal(response.body['requestId'], response.headers['x-request-id']);
    assert.match(String(response.body['requestId']), /^[0-9a-f-]{36}$/);
  });

  it("Fastify: an app's own clientErrorHandler is kept", async () => {
    const app = Fastify({ clientErrorHandler: (_error, socket) => socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 4\r\n\r\nmine') });
    await app.register(rampart, { log: { level: 'silent' } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    after(() => app.close());
    const response = await raw((app.server.address() as AddressInfo).port, OVERSIZED);
    assert.match(response, /\r\n\r\nmine$/);
  });

  it('a bare node:http server: a malformed request is a 400 problem', async () => {
    const core = createRampart({ profile: 'production', log: { level: 'silent' } });
    const server = createServer((_request, response) => response.end('ok'));
    server.on('clientError', core.handleClientError);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    after(() => server.close());
    const response = parse(await raw((server.address() as AddressInfo).port, 'NOT HTTP AT ALL\r\n\r\n'));
    assert.equal(response.status, 400);
    assert.equal(response.body['code'], 'BAD_REQUEST');
    assert.doesNotMatch(JSON.stringify(response.body), /HPE_|Parse Error/);
  });
});
