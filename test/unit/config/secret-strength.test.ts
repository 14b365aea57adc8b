import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MIN_SECRET_KEY_LENGTH, secretWeaknesses } from 'rampart';

describe('secret strength', () => {
  it('accepts what rampart secret and the usual generators produce', () => {
    for (let i = 0; i < 200; i++) {
      for (const value of [randomBytes(32).toString('base64url'), randomBytes(16).toString('hex'), randomBytes(32).toString('base64'), randomBytes(24).toString('base64url')]) {
        assert.deepEqual(secretWeaknesses(value), [], value);
      }
    }
  });

  it(`refuses anything shorter than ${MIN_SECRET_KEY_LENGTH} characters`, () => {
    const value = randomBytes(12).toString('base64url'); // 16 random characters
    assert.deepEqual(secretWeaknesses(value), ['too-short']);
  });

  it('refuses known placeholders, padded or not', () => {
    for (const value of [
      'changeme',
      'dev-secret-key-change-in-production',
      'CHANGEME-CHANGEME-CHANGEME-CHANGEME',
      'your-secret-key-here-0000000000000000',
      'please-replace-me-with-a-real-secret-value',
      'my-super-secret-key-for-production-2024',
      'django-insecure-3k#9x!w2@e7r$t5y^u8i*o0p-a1s2d3f4g5h6',
      'secret123456789012345678901234567890',
      'password1234567890password1234567890',
    ]) {
      assert.ok(secretWeaknesses(value).includes('placeholder'), value);
    }
  });

  it('refuses low-entropy values of any length', () => {
    for (const value of ['a'.repeat(64), 'abcabcabcabcabcabcabcabcabcabcabcabc', 'xyzw'.repeat(16), '1111111111111111222222222222222233', 'abcdefghijklmnopqrstuvwxyzABCDEFGH', 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvuts']) {
      assert.deepEqual(secretWeaknesses(value), ['low-entropy'], value);
    }
  });

  it('reports every weakness at once', () => {
    assert.deepEqual(secretWeaknesses('changeme'), ['too-short', 'placeholder']);
    assert.deepEqual(secretWeaknesses('aaaa'), ['too-short', 'low-entropy']);
  });
});
