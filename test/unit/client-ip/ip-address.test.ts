import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ipPrefixKey, normalizeIp } from 'rampart';

describe('normalizeIp', () => {
  const cases: [string, string | undefined][] = [
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['[::1]:80', '::1'],
    ['[2001:DB8::1]', '2001:db8::1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['unknown', undefined],
    ['_hidden', undefined],
    ['', undefined],
    ['1.2.3.4.5', undefined],
    ['999.1.1.1', undefined],
    ['[::1', undefined],
    ['x'.repeat(100), undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${String(expected)}`, () => assert.equal(normalizeIp(input), expected));
  }
});

describe('ipPrefixKey', () => {
  it('keeps IPv4 whole', () => assert.equal(ipPrefixKey('203.0.113.7'), '203.0.113.7'));
  it('masks IPv6 to /64 by default, so one subscriber is one key', () => {
    assert.equal(ipPrefixKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(ipPrefixKey('2001:db8:1:2::1'), ipPrefixKey('2001:db8:1:2:ffff::9'));
    assert.notEqual(ipPrefixKey('2001:db8:1:2::1'), ipPrefixKey('2001:db8:1:3::1'));
  });
  it('masks to other prefix lengths, including inside a hextet', () => {
    assert.equal(ipPrefixKey('2001:db8:1:2::1', 48), '2001:db8:1::/48');
    assert.equal(ipPrefixKey('2001:db8:ffff::1', 40), '2001:db8:ff00::/40');
  });
  it('expands embedded IPv4 and the :: shorthand', () => {
    assert.equal(ipPrefixKey('::1'), '0:0:0:0::/64');
    assert.equal(ipPrefixKey('64:ff9b::192.0.2.33', 96), '64:ff9b:0:0:0:0::/96');
  });
});
