import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { app as expressApp } from '../../examples/express/app.js';
import { app as honoApp } from '../../examples/hono/app.js';
import { GET as nextHello } from '../../examples/nextjs/app/api/hello/route.js';

/** What every hardened example must show: security headers, a request id, problem+json errors. */
function assertHardened(headers: Headers): void {
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.match(headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.match(headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
}

describe('examples', () => {
  it('Express: hardened responses and a problem+json 404', async () => {
    const server = createServer(expressApp).listen(0, '127.0.0.1');
    after(() => server.close());
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hello = await fetch(`${base}/hello`);
    assert.deepEqual(await hello.json(), { hello: 'world' });
    assertHardened(hello.headers);
    const missing = await fetch(`${base}/missing`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(((await missing.json()) as { detail: string }).detail, 'Nothing here.');
  });

  it('Next.js route handler: hardened, with validation as a 422 problem', async () => {
    const ok = await nextHello(new Request('http://127.0.0.1/api/hello?name=ada'));
    assert.deepEqual(await ok.json(), { hello: 'ada' });
    assertHardened(ok.headers);
    const bad = await nextHello(new Request(`http://127.0.0.1/api/hello?name=${'x'.repeat(51)}`));
    assert.equal(bad.status, 422);
    assert.equal(((await bad.json()) as { code: string }).code, 'VALIDATION_FAILED');
  });

  it('Hono: hardened responses and problem+json for thrown errors and unknown routes', async () => {
    const hello = await honoApp.request('/hello');
    assert.deepEqual(await hello.json(), { hello: 'world' });
    assertHardened(hello.headers);
    for (const path of ['/missing', '/nowhere']) {
      const response = await honoApp.request(path);
      assert.equal(response.status, 404, path);
      assert.equal(((await response.json()) as { code: string }).code, 'NOT_FOUND');
    }
  });
});
