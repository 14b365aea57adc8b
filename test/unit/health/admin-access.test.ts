import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAdminAccess } from '../../../src/health/admin-access.js';
import type { RequestState, RequestView } from '../../../src/pipeline/request-state.js';

const TOKEN = 'a'.repeat(40);

function request(clientIp: string, authorization?: string): [RequestState, RequestView] {
  const state = { clientIp } as RequestState;
  const view = { header: (name: string) => (name === 'authorization' ? authorization : undefined) } as RequestView;
  return [state, view];
}

describe('admin access', () => {
  it('grants the exact bearer token only', () => {
    const access = createAdminAccess({ token: TOKEN }, true);
    assert.equal(access.granted(...request('203.0.113.9', `Bearer ${TOKEN}`)), true);
    assert.equal(access.granted(...request('203.0.113.9', `bearer ${TOKEN}`)), true, 'the scheme is case-insensitive (RFC 9110 §11.1)');
    assert.equal(access.granted(...request('203.0.113.9', `Bearer ${TOKEN}x`)), false);
    assert.equal(access.granted(...request('203.0.113.9', `Bearer ${TOKEN.slice(1)}`)), false);
    assert.equal(access.granted(...request('203.0.113.9', `Basic ${TOKEN}`)), false);
    assert.equal(access.granted(...request('203.0.113.9', undefined)), false);
    assert.equal(access.usesToken, true);
  });

  it('accepts a Secret-like value and never echoes it in errors', () => {
    const access = createAdminAccess({ token: { reveal: () => TOKEN } }, true);
    assert.equal(access.granted(...request('203.0.113.9', `Bearer ${TOKEN}`)), true);
    assert.throws(() => createAdminAccess({ token: 'short-token' }, true), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'RAMPART_INVALID_OPTION');
      assert.doesNotMatch(error.message, /short-token/);
      return true;
    });
    assert.doesNotThrow(() => createAdminAccess({ token: 'short-token' }, false), 'development may use a short token');
  });

  it('grants allowlisted addresses, CIDRs and presets, IPv4 and IPv6', () => {
    const access = createAdminAccess({ allow: ['10.1.0.0/16', '2001:db8::/32', 'loopback'] }, true);
    assert.equal(access.granted(...request('10.1.200.3')), true);
    assert.equal(access.granted(...request('10.2.0.1')), false);
    assert.equal(access.granted(...request('2001:db8:1::5')), true);
    assert.equal(access.granted(...request('2001:db9::1')), false);
    assert.equal(access.granted(...request('127.0.0.1')), true);
    assert.equal(access.granted(...request('::1')), true);
    assert.equal(access.granted(...request('unknown')), false);
    assert.equal(access.usesToken, false);
    assert.equal(access.configured, true);
  });

  it('is not configured with neither, and refuses bad entries', () => {
    assert.equal(createAdminAccess(undefined, true).configured, false);
    assert.equal(createAdminAccess({ allow: [] }, true).configured, false);
    assert.throws(() => createAdminAccess({ allow: ['10.0.0.0/33'] }, true), { code: 'RAMPART_INVALID_OPTION' });
    assert.throws(() => createAdminAccess({ allow: ['everyone'] }, true), { code: 'RAMPART_INVALID_OPTION' });
    assert.throws(() => createAdminAccess({ allow: '10.0.0.0/8' as unknown as string[] }, true), { code: 'RAMPART_INVALID_OPTION' });
  });
});
