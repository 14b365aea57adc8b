import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_COOKIES, parseCookieHeader } from 'rampart';

describe('parseCookieHeader', () => {
  it('parses pairs, trims whitespace and unwraps quoted values', () => {
    assert.deepEqual({ ...parseCookieHeader(' a=1 ;b = two;c="quoted value";d=') }, { a: '1', b: 'two', c: 'quoted value', d: '' });
  });

  it('keeps the first of repeated names and skips invalid names or pairs without "="', () => {
    assert.deepEqual({ ...parseCookieHeader('a=1; a=2; bad name=x; (x)=y; novalue; =empty; ok=yes') }, { a: '1', ok: 'yes' });
  });

  it('returns an object without a prototype, so __proto__ is only a name', () => {
    const cookies = parseCookieHeader('__proto__=x; constructor=y');
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.equal(cookies['__proto__'], 'x');
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });

  it('keeps at most MAX_COOKIES pairs', () => {
    const header = Array.from({ length: MAX_COOKIES + 50 }, (_, i) => `c${i}=${i}`).join('; ');
    assert.equal(Object.keys(parseCookieHeader(header)).length, MAX_COOKIES);
  });

  it('stays linear on pathological headers (no "=", all separators, one huge value)', () => {
    const megabyte = 1024 * 1024;
    for (const header of [';a'.repeat(megabyte / 2), ';'.repeat(megabyte), `a=${'x'.repeat(megabyte)}`, '='.repeat(megabyte), `${'a'.repeat(megabyte)}=1`]) {
      const started = performance.now();
      parseCookieHeader(header);
      // Quadratic behaviour on 1 MB is minutes; linear is milliseconds.
      assert.ok(performance.now() - started < 1000, `${header.slice(0, 8)}… took ${performance.now() - started} ms`);
    }
  });

  it('property: never throws, and every name it returns is a valid token', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (header) => {
        for (const name of Object.keys(parseCookieHeader(header))) assert.match(name, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
      }),
      { numRuns: 1000 },
    );
  });
});
