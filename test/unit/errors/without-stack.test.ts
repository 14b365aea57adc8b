import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRampart, type RequestView } from 'rampart';
import { RateLimitedError, withoutStack } from '../../../src/errors/app-error.js';
import { LogCapture } from '../../support/capture-log.js';

describe('withoutStack', () => {
  it('makes the error with no stack frames and restores the limit, even when making throws', () => {
    const before = Error.stackTraceLimit;
    const error = withoutStack(() => new RateLimitedError(3));
    assert.equal(error.stack?.includes('\n    at '), false);
    assert.equal(error.retryAfterSeconds, 3);
    assert.throws(() =>
      withoutStack(() => {
        throw new Error('boom');
      }),
    );
    assert.equal(Error.stackTraceLimit, before);
    assert.match(new Error('after').stack ?? '', /\n {4}at /, 'later errors keep their stacks');
  });

  it('a rate-limited request is still answered as a full 429 problem', () => {
    const rampart = createRampart({ profile: 'production', log: { destination: new LogCapture() }, securityLog: false, rateLimit: { rules: [{ name: 'g', limit: 1, window: '1m' }] } });
    const view: RequestView = { method: 'GET', url: '/x', remoteAddress: '10.0.0.1', encrypted: false, header: () => undefined };
    assert.equal(rampart.admit(rampart.begin(view), view), undefined);
    const answer = rampart.admit(rampart.begin(view), view);
    assert.ok(answer !== undefined && !(answer instanceof Promise));
    assert.equal(answer.status, 429);
    assert.match(answer.headers['retry-after'] ?? '', /^\d+$/);
    assert.equal((JSON.parse(answer.body) as { code: string }).code, 'RATE_LIMITED');
    void rampart.close();
  });
});
