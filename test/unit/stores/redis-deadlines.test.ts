import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { Deadlines } from '../../../src/stores/redis/deadlines.js';

test('a call answered in time never expires; one that is not expires once, after the timeout', async () => {
  const deadlines = new Deadlines(30);
  const expired: string[] = [];
  const answered = deadlines.start(() => expired.push('answered'));
  const late = deadlines.start(() => expired.push('late'));
  assert.equal(deadlines.settle(answered), true);
  await sleep(10);
  assert.deepEqual(expired, [], 'nothing expires before the timeout');
  await sleep(60);
  assert.deepEqual(expired, ['late']);
  assert.equal(late.abandoned, true);
  assert.equal(deadlines.settle(late), false, 'an answer after the deadline is refused: the caller was already told it failed');
  assert.equal(answered.abandoned, false);
});

test('calls started later expire later: the timer re-arms for the next deadline', async () => {
  const deadlines = new Deadlines(40);
  const expired: number[] = [];
  deadlines.start(() => expired.push(1));
  await sleep(25);
  deadlines.start(() => expired.push(2));
  await sleep(30); // ~55 ms: the first is past its deadline, the second (~40 + 25) is not
  assert.deepEqual(expired, [1]);
  await sleep(40);
  assert.deepEqual(expired, [1, 2]);
});

test('settling a call twice leaves the other calls in flight on their deadlines', async () => {
  const deadlines = new Deadlines(30);
  const expired: number[] = [];
  const first = deadlines.start(() => expired.push(1));
  deadlines.start(() => expired.push(2));
  assert.equal(deadlines.settle(first), true);
  assert.equal(deadlines.settle(first), true);
  await sleep(70);
  assert.deepEqual(expired, [2], 'the second call still expires');
});

test('clear abandons every call in flight at once and stops the timer', async () => {
  const deadlines = new Deadlines(1000);
  const expired: number[] = [];
  const first = deadlines.start(() => expired.push(1));
  deadlines.start(() => expired.push(2));
  deadlines.settle(first);
  deadlines.clear();
  assert.deepEqual(expired, [2]);
  await sleep(20);
  assert.deepEqual(expired, [2]);
});
