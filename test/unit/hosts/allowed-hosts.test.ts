import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileAllowedHosts } from '../../../src/hosts/allowed-hosts.js';

describe('allowed hosts', () => {
  const allowed = compileAllowedHosts(['app.example.com', '.api.example.com', 'admin.example.com:8443', '127.0.0.1', '[::1]']);
  const check = (host: string | undefined): boolean => (allowed as (host: string | undefined) => boolean)(host);

  it('accepts the listed names, on any port unless the entry names one, in any case, fully qualified or not', () => {
    for (const host of ['app.example.com', 'APP.Example.com', 'app.example.com:3000', 'app.example.com.', 'api.example.com', 'v2.api.example.com:443', 'admin.example.com:8443', '127.0.0.1:3000', '[::1]:3000', '[::1]']) {
      assert.equal(check(host), true, host);
    }
  });

  it('refuses every other host, including look-alikes built to pass a careless match', () => {
    for (const host of [
      undefined,
      '',
      'evil.example',
      'app.example.com.evil.example', // the allowed name as a prefix
      'evilapp.example.com', // as a suffix without the dot
      'xapi.example.com', // a suffix entry is a whole label
      'admin.example.com', // its entry is for port 8443 only
      'admin.example.com:9443',
      'app.example.com@evil.example',
      '127.0.0.2',
      '[::2]:3000',
    ]) {
      assert.equal(check(host), false, String(host));
    }
  });

  it('remembers the last allowed host without letting a refused one through after it', () => {
    assert.equal(check('app.example.com'), true);
    assert.equal(check('app.example.com'), true);
    assert.equal(check('evil.example'), false);
  });

  it('restricts nothing with no list or with *; refuses a malformed list', () => {
    assert.equal(compileAllowedHosts(undefined), undefined);
    assert.equal(compileAllowedHosts(['example.com', '*']), undefined);
    assert.throws(() => compileAllowedHosts([]), /allowedHosts/);
    assert.throws(() => compileAllowedHosts(['ok.example', 42 as unknown as string]), /allowedHosts/);
  });
});
