import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { CHANNEL_NAMES, createRampart, MemoryStore, RateLimitedError, type Rampart, type RequestState } from 'rampart';

function request(rampart: Rampart, ip: string): RequestState {
  return rampart.begin({ method: 'POST', url: '/login', remoteAddress: ip, encrypted: false, header: () => undefined });
}

describe('brute-force guard', () => {
  it('blocks a username from one client after consecutive failures, with blocks that double', async () => {
    const clock = { now: 1_800_000_000_000 };
    const rampart = createRampart({ profile: 'test', rateLimit: { env: false, store: new MemoryStore({ now: () => clock.now }) } });
    const guard = rampart.rateLimit.bruteForceGuard({ perUserAndIp: { failures: 3, block: '1m', maxBlock: '4m' } });
    const attacker = request(rampart, '203.0.113.66');
    for (let i = 0; i < 2; i++) {
      await guard.check(attacker, 'alice');
      assert.equal(await guard.failure(attacker, 'alice'), 0);
    }
    await guard.check(attacker, 'alice');
    assert.equal(await guard.failure(attacker, 'alice'), 60);
    const blocked = await guard.check(attacker, 'alice').then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(blocked instanceof RateLimitedError);
    assert.equal(blocked.retryAfterSeconds, 60);
    assert.equal(blocked.headers?.['retry-after'], '60');
    // The same account spelled differently is the same account.
    await assert.rejects(guard.check(attacker, '  ALICE '), RateLimitedError);
    // The real user, from elsewhere, is not blocked by the per-user-and-IP rule.
    await guard.check(request(rampart, '198.51.100.5'), 'alice');
    clock.now += 60_000;
    await guard.check(attacker, 'alice');
    assert.equal(await guard.failure(attacker, 'alice'), 120, 'doubled');
    clock.now += 120_000;
    assert.equal(await guard.failure(attacker, 'alice'), 240);
    clock.now += 240_000;
    assert.equal(await guard.failure(attacker, 'alice'), 240, 'capped at maxBlock');
    await rampart.close();
  });

  it('blocks a username attacked from many addresses, and a success clears both counters', async () => {
    const rampart = createRampart({ profile: 'test', rateLimit: { env: false } });
    const guard = rampart.rateLimit.bruteForceGuard({ perUserAndIp: { failures: 100 }, perUser: { failures: 5, block: '30s' } });
    for (let i = 0; i < 5; i++) await guard.failure(request(rampart, `198.51.100.${i + 1}`), 'bob');
    await assert.rejects(guard.check(request(rampart, '192.0.2.200'), 'bob'), RateLimitedError);
    await guard.check(request(rampart, '192.0.2.200'), 'carol');
    await guard.success(request(rampart, '198.51.100.1'), 'bob');
    await guard.check(request(rampart, '192.0.2.200'), 'bob');
    assert.equal(await guard.failure(request(rampart, '192.0.2.200'), 'bob'), 0, 'counting starts again');
    await rampart.close();
  });

  it('publishes its decisions marked as brute-force, for metrics and the security log', async () => {
    const events: Record<string, unknown>[] = [];
    const listener = (message: unknown): void => {
      const { rule, outcome, kind, retryAfterSeconds } = message as Record<string, unknown>;
      events.push({ rule, outcome, kind, retryAfterSeconds });
    };
    subscribe(CHANNEL_NAMES.rateLimitDecision, listener);
    try {
      const rampart = createRampart({ profile: 'test', rateLimit: { env: false } });
      const guard = rampart.rateLimit.bruteForceGuard({ name: 'signin', perUserAndIp: { failures: 1, block: '30s' } });
      const state = request(rampart, '192.0.2.44');
      await guard.check(state, 'frank');
      await guard.failure(state, 'frank');
      await assert.rejects(guard.check(state, 'frank'), RateLimitedError);
      await rampart.close();
    } finally {
      unsubscribe(CHANNEL_NAMES.rateLimitDecision, listener);
    }
    assert.deepEqual(events, [
      { rule: 'signin', outcome: 'allowed', kind: 'brute-force', retryAfterSeconds: undefined },
      { rule: 'signin', outcome: 'rejected', kind: 'brute-force', retryAfterSeconds: 30 },
    ]);
  });

  it('does nothing when rate limiting is switched off', async () => {
    const rampart = createRampart({ profile: 'test', rateLimit: { env: { RATE_LIMIT_ENABLED: 'false' } } });
    const guard = rampart.rateLimit.bruteForceGuard({ perUserAndIp: { failures: 1 } });
    const state = request(rampart, '192.0.2.1');
    assert.equal(await guard.failure(state, 'dave'), 0);
    await guard.check(state, 'dave');
    await rampart.close();
  });

  it('refuses bad settings with coded errors', async () => {
    const rampart = createRampart({ profile: 'test', rateLimit: { env: false } });
    assert.throws(() => rampart.rateLimit.bruteForceGuard({ perUser: { failures: 0 } }), { code: 'RAMPART_INVALID_OPTION', message: /perUser\.failures/ });
    assert.throws(() => rampart.rateLimit.bruteForceGuard({ perUserAndIp: { block: '1h', maxBlock: '1m' } }), { code: 'RAMPART_INVALID_OPTION', message: /maxBlock/ });
    assert.throws(() => rampart.rateLimit.bruteForceGuard({ onStoreFailure: 'maybe' as never }), { code: 'RAMPART_INVALID_OPTION' });
    await rampart.close();
  });
});
