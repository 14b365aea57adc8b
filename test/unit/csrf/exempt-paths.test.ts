import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError } from 'rampart';
import { compileExemptPaths } from '../../../src/csrf/exempt-paths.js';

describe('CSRF exempt paths', () => {
  const isExempt = compileExemptPaths('csrf.exemptPaths', ['/webhooks/stripe', '/oauth/:provider/callback', '/hooks/*']);

  it('matches exact paths, :param segments and /* subtrees', () => {
    for (const path of ['/webhooks/stripe', '/oauth/github/callback', '/hooks/a', '/hooks/a/b']) assert.equal(isExempt(path), true, path);
    for (const path of ['/webhooks/stripe/x', '/webhooks', '/oauth/github/callback/x', '/oauth//callback', '/hooks', '/hooks/', '/api/hooks/a', '/WEBHOOKS/stripe']) {
      assert.equal(isExempt(path), false, path);
    }
  });

  it('never exempts a path a proxy or router could normalize into another route', () => {
    for (const path of ['/hooks/../account', '/hooks/%2e%2e/account', '/hooks/%2E%2E/account', '/hooks/..%2faccount', '/hooks/./x', '/hooks//x', '/hooks/a%5c..%5caccount', '/hooks/a\\..\\account']) {
      assert.equal(isExempt(path), false, path);
    }
  });

  it('refuses catch-alls and malformed entries at construction', () => {
    for (const entry of ['/*', '/', '*', 'webhooks', '/a/*/b', '/a?x=1', '/a/../b', 5]) {
      assert.throws(() => compileExemptPaths('csrf.exemptPaths', [entry]), (error: unknown) => error instanceof RampartError && error.message.includes('csrf.exemptPaths[]'), String(entry));
    }
  });
});
