import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AppError, parseJsonSafely, type JsonLimits } from 'rampart';

const LIMITS: JsonLimits = { maxDepth: 8, maxKeys: 20, prototypeKeys: 'reject' };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, not ${String(error)}`);
    return `${error.status} ${error.code}`;
  }
}

describe('parseJsonSafely', () => {
  it('parses what JSON.parse parses', () => {
    for (const text of ['1', '"x"', 'null', '[]', '{}', '{"a":[1,{"b":"c"}]}', ' {"a" : 1 } ']) assert.deepEqual(parseJsonSafely(text, LIMITS), JSON.parse(text));
  });

  it('allows exactly maxDepth levels and refuses one more', () => {
    const depth = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.deepEqual(parseJsonSafely(depth(8), LIMITS), JSON.parse(depth(8)));
    assert.equal(code(() => parseJsonSafely(depth(9), LIMITS)), '413 PAYLOAD_TOO_LARGE');
  });

  it('allows exactly maxKeys members and refuses one more, counted across the document', () => {
    const doc = (n: number): string => JSON.stringify({ a: Object.fromEntries(Array.from({ length: n - 1 }, (_, i) => [`k${i}`, i])) });
    assert.equal(code(() => parseJsonSafely(doc(20), LIMITS)), undefined);
    assert.equal(code(() => parseJsonSafely(doc(21), LIMITS)), '413 PAYLOAD_TOO_LARGE');
  });

  it('does not count brackets, colons or escaped quotes inside strings', () => {
    const text = JSON.stringify({ s: '[[[[[[[[[[{{{{{{{{{{::::::::::::::::::::::::"\\"]]]]' });
    assert.deepEqual(parseJsonSafely(text, LIMITS), JSON.parse(text));
  });

  it('refuses invalid and empty bodies as MALFORMED_JSON without the parser message', () => {
    for (const text of ['{"a":', '{a:1}', "{'a':1}", '', '   ', '{"a":"unterminated']) {
      try {
        parseJsonSafely(text, LIMITS);
        assert.fail(`accepted ${text}`);
      } catch (error) {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'MALFORMED_JSON');
        assert.doesNotMatch(error.detail ?? '', /Unexpected|position|SyntaxError/);
      }
    }
  });

  it('refuses __proto__ and constructor.prototype keys at any depth, however they are spelled', () => {
    for (const text of ['{"__proto__":{"x":1}}', '[{"a":{"__proto__":null}}]', '{"constructor":{"prototype":{"x":1}}}', '{"\\u005f\\u005fproto\\u005f\\u005f":1}', '{"__proto\\u005f_":{}}']) {
      assert.equal(code(() => parseJsonSafely(text, LIMITS)), '400 MALFORMED_JSON', text);
    }
    assert.equal(({} as Record<string, unknown>)['x'], undefined);
  });

  it('keeps a constructor key that is not an object with a prototype', () => {
    assert.deepEqual(parseJsonSafely('{"constructor":"Ford","model":{"constructor":{"name":"T"}}}', LIMITS), { constructor: 'Ford', model: { constructor: { name: 'T' } } });
  });

  it('removes the keys instead in remove mode, leaving the rest', () => {
    const value = parseJsonSafely('{"a":1,"__proto__":{"x":1},"b":{"constructor":{"prototype":{}},"c":2}}', { ...LIMITS, prototypeKeys: 'remove' }) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(value)), { a: 1, b: { c: 2 } });
    assert.equal(Object.hasOwn(value, '__proto__'), false);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });

  it('property: agrees with JSON.parse on any document within the limits, and throws only AppErrors on any string', () => {
    const wide: JsonLimits = { maxDepth: 64, maxKeys: 100_000, prototypeKeys: 'reject' };
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        if (/__proto__|"constructor"/.test(text)) return;
        assert.deepEqual(parseJsonSafely(text, wide), JSON.parse(text));
      }),
      { numRuns: 150 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          parseJsonSafely(text, wide);
        } catch (error) {
          assert.ok(error instanceof AppError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('scans a 1 MiB document in linear time', () => {
    const text = JSON.stringify({ rows: Array.from({ length: 400 }, (_, i) => ({ id: i, text: '"\\{[:'.repeat(400) })) });
    const started = performance.now();
    parseJsonSafely(text, { maxDepth: 64, maxKeys: 1000, prototypeKeys: 'reject' });
    // A quadratic scan of ~1.3 MB would take minutes; linear takes milliseconds.
    assert.ok(performance.now() - started < 2000);
  });
});
