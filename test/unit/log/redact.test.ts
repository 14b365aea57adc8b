import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSensitive, sensitiveKeyPredicate } from '../../../src/log/redact.js';

const isSensitive = sensitiveKeyPredicate(['ssn']);

describe('redactSensitive', () => {
  it('redacts sensitive keys at any depth and in arrays, in any case', () => {
    const input = { user: 'ada', Password: 'p', headers: { 'X-Api-Key': 'k', Cookie: 'c' }, items: [{ refresh_token: 't' }], SSN: '123' };
    assert.deepEqual(redactSensitive(input, isSensitive), {
      user: 'ada',
      Password: '[redacted]',
      headers: { 'X-Api-Key': '[redacted]', Cookie: '[redacted]' },
      items: [{ refresh_token: '[redacted]' }],
      SSN: '[redacted]',
    });
  });

  it('never mutates the caller’s object and returns it as is when nothing is sensitive', () => {
    const clean = { a: 1, b: { c: [1, 2] } };
    assert.equal(redactSensitive(clean, isSensitive), clean);
    const dirty = { nested: { secret: 's' } };
    redactSensitive(dirty, isSensitive);
    assert.equal(dirty.nested.secret, 's');
  });

  it('leaves class instances alone and stops at a depth bound (cycles cannot hang it)', () => {
    const date = new Date(0);
    assert.equal(redactSensitive({ when: date }, isSensitive) !== undefined, true);
    const cycle: Record<string, unknown> = { name: 'x' };
    cycle['self'] = cycle;
    assert.doesNotThrow(() => redactSensitive(cycle, isSensitive));
  });
});
