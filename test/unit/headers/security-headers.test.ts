import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError, createRampart, type HeaderOps } from 'rampart';

/** Applies headers to a plain map, the way an adapter does to its response. */
function headersFor(options: Parameters<typeof createRampart>[0], contentType: string, secure = false, nonce = false): Map<string, string> {
  const rampart = createRampart({ profile: 'production', log: { level: 'silent' }, ...options });
  const view = { method: 'GET', url: '/', remoteAddress: '127.0.0.1', encrypted: secure, header: () => undefined };
  const state = rampart.begin(view);
  if (nonce) void state.cspNonce;
  const target = new Map<string, string>([['content-type', contentType]]);
  const ops: HeaderOps<Map<string, string>> = { get: (map, name) => map.get(name), set: (map, name, value) => void map.set(name, value), remove: (map, name) => void map.delete(name) };
  rampart.applyHeaders(state, target, ops);
  return target;
}

describe('security headers', () => {
  it('adds upgrade-insecure-requests to HTML only over HTTPS', () => {
    assert.doesNotMatch(headersFor({}, 'text/html').get('content-security-policy') ?? '', /upgrade-insecure-requests/);
    assert.match(headersFor({}, 'text/html', true).get('content-security-policy') ?? '', /upgrade-insecure-requests$/);
  });

  it('carries the nonce in script-src and style-src when one was used', () => {
    const csp = headersFor({}, 'text/html', false, true).get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
    assert.match(csp, /style-src 'self' 'nonce-/);
  });

  it('honours HSTS options and can leave HSTS to a proxy', () => {
    assert.equal(headersFor({ headers: { hsts: { maxAge: 63_072_000, preload: true } } }, 'application/json', true).get('strict-transport-security'), 'max-age=63072000; includeSubDomains; preload');
    assert.equal(headersFor({ headers: { hsts: false } }, 'application/json', true).has('strict-transport-security'), false);
  });

  it('accepts custom policies with a {nonce} placeholder', () => {
    const csp = headersFor({ headers: { documentCsp: "script-src 'nonce-{nonce}'" } }, 'text/html', false, true).get('content-security-policy') ?? '';
    assert.match(csp, /^script-src 'nonce-[^{]+'$/);
    assert.equal(headersFor({ headers: { documentCsp: "script-src 'nonce-{nonce}'" } }, 'text/html').get('content-security-policy'), "script-src 'self'");
  });

  for (const [name, headers] of [
    ['a negative HSTS max-age', { hsts: { maxAge: -1 } }],
    ['an empty CSP', { apiCsp: ' ' }],
    ['a non-string extra header', { extra: { 'x-a': 1 as unknown as string } }],
  ] as const) {
    it(`refuses ${name} at construction`, () => {
      assert.throws(() => createRampart({ log: { level: 'silent' }, headers }), (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_INVALID_OPTION');
    });
  }
});
