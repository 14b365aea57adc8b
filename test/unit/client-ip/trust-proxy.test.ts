import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError, createClientAddressResolver, type AddressSource } from 'rampart';

function source(remoteAddress: string, headers: Record<string, string> = {}, encrypted = false): AddressSource {
  return { remoteAddress, encrypted, header: (name) => headers[name] };
}

describe('client address resolution', () => {
  it('uses the socket address when trustProxy is false, whatever the headers say', () => {
    const resolve = createClientAddressResolver(false);
    assert.deepEqual(resolve(source('::ffff:10.0.0.1', { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https' })), { ip: '10.0.0.1', secure: false });
  });

  it('calls the untrusted-forwarding callback once', () => {
    let calls = 0;
    const resolve = createClientAddressResolver(false, () => calls++);
    resolve(source('10.0.0.1', { forwarded: 'for=1.1.1.1' }));
    resolve(source('10.0.0.1', { 'x-forwarded-for': '1.1.1.1' }));
    assert.equal(calls, 1);
  });

  it('counts hops from the right', () => {
    const headers = { 'x-forwarded-for': 'spoofed, 198.51.100.1, 10.0.0.2' };
    assert.equal(createClientAddressResolver(0)(source('10.0.0.1', headers)).ip, '10.0.0.1');
    assert.equal(createClientAddressResolver(1)(source('10.0.0.1', headers)).ip, '10.0.0.2');
    assert.equal(createClientAddressResolver(2)(source('10.0.0.1', headers)).ip, '198.51.100.1');
    // More hops than entries: the leftmost entry, which is all we have.
    assert.equal(createClientAddressResolver(9)(source('10.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).ip, '198.51.100.1');
  });

  it('stops at a garbage hop and keeps the last address a trusted proxy vouched for', () => {
    const resolve = createClientAddressResolver(3);
    assert.equal(resolve(source('10.0.0.1', { 'x-forwarded-for': '1.1.1.1, not-an-ip, 198.51.100.1' })).ip, '198.51.100.1');
  });

  it('does not trust forwarding headers from a peer outside the list', () => {
    const resolve = createClientAddressResolver(['10.0.0.0/8']);
    assert.equal(resolve(source('192.0.2.50', { 'x-forwarded-for': '1.1.1.1' })).ip, '192.0.2.50');
    assert.equal(resolve(source('10.9.9.9', { 'x-forwarded-for': '1.1.1.1' })).ip, '1.1.1.1');
  });

  it('matches IPv6 CIDRs and presets', () => {
    const resolve = createClientAddressResolver(['fd00::/8', 'loopback']);
    assert.equal(resolve(source('fd00::5', { 'x-forwarded-for': '2001:db8::9' })).ip, '2001:db8::9');
    assert.equal(resolve(source('::1', { 'x-forwarded-for': '2001:db8::10' })).ip, '2001:db8::10');
  });

  it('takes the scheme from the trusted proxy', () => {
    const resolve = createClientAddressResolver(1);
    assert.equal(resolve(source('10.0.0.1', { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https' })).secure, true);
    assert.equal(resolve(source('10.0.0.1', { 'x-forwarded-for': '1.1.1.1', 'x-forwarded-proto': 'https, http' })).secure, false);
    assert.equal(resolve(source('10.0.0.1', {}, true)).secure, true);
  });

  it('prefers RFC 7239 Forwarded and reads the proto of the client hop', () => {
    const resolve = createClientAddressResolver(1);
    const result = resolve(source('10.0.0.1', { forwarded: 'for=1.1.1.1;proto=http, for=198.51.100.3;proto=https', 'x-forwarded-for': '6.6.6.6' }));
    assert.deepEqual(result, { ip: '198.51.100.3', secure: true });
  });

  for (const bad of [true, -1, 1.5, 'loopback', ['10.0.0.0/33'], ['nonsense'], [42]]) {
    it(`refuses trustProxy=${JSON.stringify(bad)} with a coded error`, () => {
      assert.throws(
        () => createClientAddressResolver(bad as never),
        (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_INVALID_OPTION' && /trustProxy/.test(error.message),
      );
    });
  }
});
