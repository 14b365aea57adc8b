import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepeatThrottle } from '../../../src/security-log/repeat-throttle.js';

describe('RepeatThrottle', () => {
  it('admits a key at once, then once per interval with the count it skipped', () => {
    let now = 1_000;
    const throttle = new RepeatThrottle(60_000, () => now);
    assert.equal(throttle.admit('a'), 0);
    for (let i = 0; i < 500; i++) assert.equal(throttle.admit('a'), undefined);
    assert.equal(throttle.admit('b'), 0, 'another key is its own');
    now += 59_999;
    assert.equal(throttle.admit('a'), undefined);
    now += 1;
    assert.equal(throttle.admit('a'), 501);
    assert.equal(throttle.admit('a'), undefined);
  });

  it('with interval 0 admits every occurrence', () => {
    const throttle = new RepeatThrottle(0);
    assert.deepEqual([throttle.admit('a'), throttle.admit('a')], [0, 0]);
  });

  it('stays bounded under a flood of distinct keys, forgetting the stalest first', () => {
    const now = 1_000;
    const throttle = new RepeatThrottle(60_000, () => now);
    assert.equal(throttle.admit('first'), 0);
    for (let i = 0; i < 10_000; i++) throttle.admit(`flood-${i}`);
    assert.equal(throttle.admit('first'), 0, 'forgotten, so logged again rather than remembered without bound');
    assert.equal(throttle.admit('flood-9999'), undefined, 'recent keys are still remembered');
  });
});
