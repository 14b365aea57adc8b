import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePathPattern, normalizePath } from '../../../src/rate-limit/path-pattern.js';

describe('rate-limit path normalization', () => {
  it('turns every spelling a router treats as the same path into one', () => {
    for (const spelling of ['/API/Login', '/api//login', '/api/login/', '/api/./login', '/api/x/../login', '/api/%6Cogin', '/api/%6cogin', '//api///login//']) {
      assert.equal(normalizePath(spelling), '/api/login', spelling);
    }
  });

  it('keeps an encoded slash (and percent) encoded: routers do not split on them', () => {
    assert.equal(normalizePath('/files/a%2Fb'), '/files/a%2fb');
    assert.equal(normalizePath('/files/%252F'), '/files/%252f');
  });

  it('cannot climb above the root', () => {
    assert.equal(normalizePath('/../../etc'), '/etc');
    assert.equal(normalizePath('/'), '/');
  });

  it('returns an already-normal path as is (no allocation on the hot path)', () => {
    const path = '/api/notes/42';
    assert.equal(normalizePath(path), path);
  });
});

describe('rate-limit path patterns', () => {
  const matches = (pattern: string | RegExp, path: string): boolean => compilePathPattern('p', pattern).test(normalizePath(path));

  it('route templates: a :param is one non-empty segment', () => {
    assert.ok(matches('/api/notes/:id', '/api/notes/42'));
    assert.ok(matches('/api/notes/:id', '/API/Notes/42/'));
    assert.ok(!matches('/api/notes/:id', '/api/notes'));
    assert.ok(!matches('/api/notes/:id', '/api/notes/42/comments'));
    assert.ok(matches('/api/:kind/:id/comments', '/api/notes/42/comments'));
  });

  it('prefixes: /api/* covers /api and below, /health* covers every path starting so', () => {
    assert.ok(matches('/api/*', '/api'));
    assert.ok(matches('/api/*', '/api/notes/1'));
    assert.ok(!matches('/api/*', '/apix'));
    assert.ok(matches('/health*', '/health'));
    assert.ok(matches('/health*', '/healthz'));
    assert.ok(matches('/health*', '/health/live'));
    assert.ok(!matches('/health*', '/api/health'));
    assert.ok(matches('/*', '/anything/at/all'));
  });

  it('exact paths match exactly (after normalization)', () => {
    assert.ok(matches('/metrics', '/metrics'));
    assert.ok(matches('/metrics', '/Metrics/'));
    assert.ok(!matches('/metrics', '/metrics/x'));
    assert.ok(!matches('/metrics', '/metricsx'));
  });

  it('a dot segment cannot smuggle a path under an exempt prefix', () => {
    assert.ok(!matches('/health*', '/health/../api/login'));
    assert.ok(!matches('/webhooks/*', '/webhooks/../api/login'));
  });

  it('RegExps are tested against the normalized path', () => {
    assert.ok(matches(/^\/v\d+\/search$/, '/V2/Search/'));
    assert.ok(!matches(/^\/v\d+\/search$/g, '/v2/other'));
  });

  it('refuses malformed patterns with a coded error naming the option', () => {
    for (const bad of ['api/x', '/a/*/b', '/a/:', '/a/:1x', 42]) {
      assert.throws(() => compilePathPattern('rateLimit.rules["x"].paths[0]', bad), { code: 'RAMPART_INVALID_OPTION', message: /paths\[0\]/ }, String(bad));
    }
  });
});
