import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRampart, RateLimitedError, type RequestState } from 'rampart';
import { limitedApp } from './app.js';

describe('rate limits applied after authentication (consume)', () => {
  it('a user-keyed rule is not run by the gate; consume() spends it per user, with the same 429', async () => {
    const { send } = await limitedApp({ rules: [{ name: 'reports', limit: 2, window: '1m', key: 'user' }] });
    for (let i = 0; i < 2; i++) {
      const response = await send('/reports', { method: 'POST', headers: { 'x-user': 'alice' } });
      assert.equal(response.status, 200);
      assert.match(response.headers['ratelimit'] ?? '', new RegExp(`^"reports";r=${1 - i};`));
    }
    const limited = await send('/reports', { method: 'POST', headers: { 'x-user': 'alice' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.body['code'], 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.match(limited.headers['ratelimit'] ?? '', /^"reports";r=0;/);
    // Another user, from the same IP, has a budget of their own.
    assert.equal((await send('/reports', { method: 'POST', headers: { 'x-user': 'bob' } })).status, 200);
    // The gate never touched the rule: other routes carry no reports header.
    assert.equal((await send('/x', { headers: { 'x-user': 'alice' } })).headers['ratelimit'], undefined);
  });

  it('refuses to guess a key: consuming a user rule before the user is known is a coded programming error', async () => {
    const rampart = createRampart({ profile: 'test', rateLimit: { env: false, rules: [{ name: 'reports', limit: 2, window: '1m', key: 'user' }] } });
    const state = rampart.begin({ method: 'POST', url: '/reports', remoteAddress: '192.0.2.1', encrypted: false, header: () => undefined });
    await assert.rejects(rampart.rateLimit.consume(state, 'reports'), { code: 'RAMPART_RATE_LIMIT_NO_KEY' });
    await assert.rejects(rampart.rateLimit.consume(state, 'nope'), { code: 'RAMPART_INVALID_OPTION', message: /reports/ });
    // An explicit key works without a user.
    assert.equal((await rampart.rateLimit.consume(state, 'reports', { key: 'tenant-7' }))[0]?.remaining, 1);
    await rampart.close();
  });

  it('allow-listed client IPs are exempt here too', async () => {
    const rampart = createRampart({ profile: 'test', rateLimit: { env: false, exempt: { ips: ['192.0.2.0/24'] }, rules: [{ name: 'reports', limit: 1, window: '1m', key: 'user' }] } });
    const state = rampart.begin({ method: 'POST', url: '/reports', remoteAddress: '192.0.2.9', encrypted: false, header: () => undefined });
    state.userId = 'ops';
    for (let i = 0; i < 3; i++) assert.deepEqual(await rampart.rateLimit.consume(state, 'reports'), []);
    await rampart.close();
  });

  it('several rules at once are all or nothing, and cost can be given per call', async () => {
    const rampart = createRampart({
      profile: 'test',
      rateLimit: {
        env: false,
        rules: [
          { name: 'per-user', limit: 10, window: '1m', key: 'user' },
          { name: 'exports', limit: 3, window: '1h', key: 'user', manual: true },
        ],
      },
    });
    const state: RequestState = rampart.begin({ method: 'POST', url: '/export', remoteAddress: '192.0.2.1', encrypted: false, header: () => undefined });
    state.userId = 'carol';
    const first = await rampart.rateLimit.consume(state, ['per-user', 'exports'], { cost: 3 });
    assert.deepEqual(
      first.map((decision) => [decision.rule, decision.remaining]),
      [
        ['per-user', 7],
        ['exports', 0],
      ],
    );
    await assert.rejects(rampart.rateLimit.consume(state, ['per-user', 'exports']), RateLimitedError);
    // The rejection spent nothing on per-user.
    assert.equal((await rampart.rateLimit.consume(state, 'per-user', { cost: 0 }))[0]?.remaining, 7);
    await rampart.rateLimit.reset('exports', 'carol');
    assert.equal((await rampart.rateLimit.consume(state, 'exports'))[0]?.remaining, 2);
    await rampart.close();
  });
});
