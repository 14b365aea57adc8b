import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError } from 'rampart';
import { compileOriginMatcher, normalizeOrigin } from '../../../src/cors/origin.js';

describe('origin allowlists', () => {
  it('normalizes configured origins to what browsers send', () => {
    assert.equal(normalizeOrigin('o', 'HTTPS://App.Example.COM'), 'https://app.example.com');
    assert.equal(normalizeOrigin('o', 'https://app.example.com:443'), 'https://app.example.com');
    assert.equal(normalizeOrigin('o', 'http://localhost:3000'), 'http://localhost:3000');
  });

  it('refuses anything that is not a bare http(s) origin', () => {
    for (const entry of ['https://app.example.com/', 'https://app.example.com/path', 'app.example.com', 'ftp://x.example', 'https://user@x.example', 'null', '*', 42]) {
      assert.throws(() => compileOriginMatcher('cors.origins', [entry]), RampartError, String(entry));
    }
  });

  it('matches exact origins by string equality', () => {
    const allows = compileOriginMatcher('cors.origins', ['https://app.example.com']);
    assert.equal(allows('https://app.example.com'), true);
    for (const origin of ['https://app.example.com.evil.example', 'https://evil-app.example.com', 'http://app.example.com', 'https://app.example.com:8443', 'null', 'HTTPS://APP.EXAMPLE.COM']) {
      assert.equal(allows(origin), false, origin);
    }
  });

  it('matches a leading * as exactly one DNS label, scheme and port included', () => {
    const allows = compileOriginMatcher('cors.origins', ['https://*.example.com', 'http://*.dev.example:8080']);
    for (const origin of ['https://a.example.com', 'https://a-b.example.com', 'http://x.dev.example:8080']) assert.equal(allows(origin), true, origin);
    for (const origin of ['https://example.com', 'https://a.b.example.com', 'http://a.example.com', 'https://-a.example.com', 'https://a.example.com.evil.example', 'https://.example.com', 'http://x.dev.example', 'https://a_b.example.com']) {
      assert.equal(allows(origin), false, origin);
    }
    for (const pattern of ['https://*example.com', 'https://a.*.example.com', '*.example.com', 'https://*.*.example.com']) {
      assert.throws(() => compileOriginMatcher('cors.origins', [pattern]), RampartError, pattern);
    }
  });
});
