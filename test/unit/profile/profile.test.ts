import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RampartError, isProductionLike, profileFromEnv } from 'rampart';

describe('profile selection', () => {
  it('prefers APP_ENV over NODE_ENV and defaults to development', () => {
    assert.equal(profileFromEnv({ APP_ENV: 'staging', NODE_ENV: 'production' }), 'staging');
    assert.equal(profileFromEnv({ NODE_ENV: 'production' }), 'production');
    assert.equal(profileFromEnv({}), 'development');
    assert.equal(profileFromEnv({ APP_ENV: ' Production ' }), 'production');
  });

  it('refuses an unknown profile instead of falling back, naming the variable', () => {
    assert.throws(() => profileFromEnv({ APP_ENV: 'prod' }), (error: unknown) => error instanceof RampartError && /APP_ENV/.test(error.message));
    assert.throws(() => profileFromEnv({ NODE_ENV: 'live' }), /NODE_ENV/);
  });

  it('treats staging like production for safety rules', () => {
    assert.deepEqual(['development', 'test', 'staging', 'production'].map((profile) => isProductionLike(profile as never)), [false, false, true, true]);
  });
});
