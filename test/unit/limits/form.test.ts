import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, RequestLimits } from 'rampart';

const limits = new RequestLimits({ formFields: 5 });

describe('urlencoded form parsing', () => {
  it('decodes fields (WHATWG urlencoded: + is a space) into an object without a prototype', () => {
    const fields = limits.parseForm('name=Ada+Lovelace&email=ada%40example.com&empty=');
    assert.equal(Object.getPrototypeOf(fields), null);
    assert.deepEqual({ ...fields }, { name: 'Ada Lovelace', email: 'ada@example.com', empty: '' });
  });

  it('collects repeated fields into arrays, in order', () => {
    assert.deepEqual({ ...limits.parseForm('tag=a&tag=b&tag=c') }, { tag: ['a', 'b', 'c'] });
  });

  it('keeps bracketed names flat', () => {
    assert.deepEqual({ ...limits.parseForm('user[name]=x&user[admin]=true') }, { 'user[name]': 'x', 'user[admin]': 'true' });
  });

  it('refuses more fields than the limit with 413', () => {
    assert.throws(() => limits.parseForm('a=1&b=2&c=3&d=4&e=5&f=6'), (error: unknown) => error instanceof AppError && error.status === 413);
    assert.equal(Object.keys(limits.parseForm('a=1&b=2&c=3&d=4&e=5')).length, 5);
  });

  it('refuses a __proto__ field, or drops it in remove mode', () => {
    assert.throws(() => limits.parseForm('__proto__=x&a=1'), (error: unknown) => error instanceof AppError && error.status === 400);
    assert.deepEqual({ ...new RequestLimits({ prototypeKeys: 'remove' }).parseForm('__proto__=x&a=1') }, { a: '1' });
  });
});
