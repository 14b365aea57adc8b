import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Keyring } from '../../../src/secrets/keyring.js';
import { CsrfTokens } from '../../../src/csrf/csrf-token.js';

const keyring = new Keyring('csrf-token-test-secret-0123456789');
const binding = { sessionId: 'sess-1', anchor: CsrfTokens.newAnchor() };

describe('CsrfTokens', () => {
  it('issues a fresh, well-formed token per call that verifies for its binding', () => {
    const tokens = new CsrfTokens(keyring, 3600);
    const first = tokens.issue(binding);
    const second = tokens.issue(binding);
    assert.notEqual(first, second, 'random per token');
    assert.match(first, /^[0-9a-z]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    assert.equal(tokens.verify(first, binding), 'valid');
    assert.equal(tokens.verify(second, binding), 'valid');
  });

  it('is bound to the session and to the anchor, with no ambiguity between them', () => {
    const tokens = new CsrfTokens(keyring, 3600);
    const token = tokens.issue({ sessionId: 'ab', anchor: binding.anchor });
    assert.equal(tokens.verify(token, { sessionId: 'abc', anchor: binding.anchor }), 'invalid');
    assert.equal(tokens.verify(token, { sessionId: 'ab', anchor: CsrfTokens.newAnchor() }), 'invalid');
    assert.equal(tokens.verify(token, { sessionId: '', anchor: binding.anchor }), 'invalid', 'a session token is not a pre-session token');
    // Length prefixes: moving characters between the fields never yields the same message.
    const shifted = tokens.issue({ sessionId: 'a|1', anchor: 'b' });
    assert.equal(tokens.verify(shifted, { sessionId: 'a', anchor: '1|b' }), 'invalid');
  });

  it('expires, and says so only for a genuine token', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const tokens = new CsrfTokens(keyring, 600, () => now);
    const token = tokens.issue(binding);
    now += 599_000;
    assert.equal(tokens.verify(token, binding), 'valid');
    now += 1_000;
    assert.equal(tokens.verify(token, binding), 'expired');
    const [expiry, random, mac] = token.split('.') as [string, string, string];
    const extended = `${(parseInt(expiry, 36) + 3600).toString(36)}.${random}.${mac}`;
    assert.equal(tokens.verify(extended, binding), 'invalid', 'the expiry is inside the MAC');
  });

  it('refuses tokens from an unknown key, and accepts the previous key during a rotation', () => {
    const other = new CsrfTokens(new Keyring('some-other-secret-0123456789'), 3600).issue(binding);
    assert.equal(new CsrfTokens(keyring, 3600).verify(other, binding), 'invalid');
    const rotated = new CsrfTokens(new Keyring('the-new-secret-0123456789ab', ['csrf-token-test-secret-0123456789']), 3600);
    assert.equal(rotated.verify(new CsrfTokens(keyring, 3600).issue(binding), binding), 'valid');
  });

  it('refuses malformed input before computing a MAC', () => {
    const tokens = new CsrfTokens(keyring, 3600);
    for (const token of ['', '.', '..', 'a.b.c', `zzzzzzzzzzz.${'A'.repeat(22)}.${'A'.repeat(43)}`, `1.${'A'.repeat(21)}=.${'A'.repeat(43)}`, `1.${'A'.repeat(22)}.${'A'.repeat(42)}`, 'x'.repeat(10_000)]) {
      assert.equal(tokens.verify(token, binding), 'invalid', token.slice(0, 30));
    }
  });

  it('recognizes only well-formed anchors', () => {
    assert.equal(CsrfTokens.isAnchor(CsrfTokens.newAnchor()), true);
    for (const value of [undefined, '', 'short', 'A'.repeat(23), `${'A'.repeat(21)}!`]) assert.equal(CsrfTokens.isAnchor(value), false);
  });
});
