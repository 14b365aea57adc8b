import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRampart, type RateLimitOptions, type RateLimitRule } from 'rampart';

function build(rateLimit: RateLimitOptions): void {
  const rampart = createRampart({ profile: 'test', rateLimit: { env: false, ...rateLimit } });
  void rampart.close();
}

const ok: RateLimitRule = { name: 'ok', limit: 1, window: '1m' };

describe('rate-limit options are validated once, at construction', () => {
  const cases: [string, RateLimitOptions, RegExp][] = [
    ['rule name', { rules: [{ ...ok, name: 'has space' }] }, /rules\[0\]\.name/],
    ['duplicate name', { rules: [ok, ok] }, /rules\[1\]\.name.*no other rule/],
    ['limit', { rules: [{ ...ok, limit: 0 }] }, /rules\["ok"\]\.limit/],
    ['window text', { rules: [{ ...ok, window: '1 fortnight' }] }, /rules\["ok"\]\.window/],
    ['window too long', { rules: [{ ...ok, window: '30d' }] }, /rules\["ok"\]\.window/],
    ['algorithm', { rules: [{ ...ok, algorithm: 'leaky' as never }] }, /algorithm/],
    ['burst without gcra', { rules: [{ ...ok, burst: 5 }] }, /burst/],
    ['user key at the gate', { rules: [{ ...ok, key: 'user', manual: false }] }, /manual/],
    ['key', { rules: [{ ...ok, key: 'cookie' as never }] }, /\.key/],
    ['methods', { rules: [{ ...ok, methods: ['GET /'] }] }, /methods/],
    ['paths', { rules: [{ ...ok, paths: 'login' }] }, /paths\[0\]/],
    ['empty paths', { rules: [{ ...ok, paths: [] }] }, /paths/],
    ['cost', { rules: [{ ...ok, cost: -1 }] }, /cost/],
    ['ipv6Prefix', { rules: [{ ...ok, ipv6Prefix: 8 }] }, /ipv6Prefix/],
    ['policy', { onStoreFailure: 'retry' as never, rules: [ok] }, /onStoreFailure/],
    ['headers draft', { headers: 'draft-99' as never, rules: [ok] }, /rateLimit\.headers/],
    ['exempt ips', { exempt: { ips: ['10.0.0.0/33'] }, rules: [ok] }, /exempt\.ips/],
    ['store', { store: {} as never }, /rateLimit\.store/],
    ['dryRun', { dryRun: 'yes' as never }, /dryRun/],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses a bad ${what}`, () => {
      assert.throws(() => build(options), { code: 'RAMPART_INVALID_OPTION', message });
    });
  }

  it('refuses a bad environment override, naming the variable', () => {
    assert.throws(() => build({ env: { RATE_LIMIT_OK: 'lots' }, rules: [ok] }), { code: 'RAMPART_INVALID_OPTION', message: /RATE_LIMIT_OK/ });
    assert.throws(() => build({ env: { RATE_LIMIT_ENABLED: 'perhaps' } }), { code: 'RAMPART_INVALID_OPTION', message: /RATE_LIMIT_ENABLED/ });
    assert.throws(() => build({ env: { RATE_LIMIT_OK: '5/forever' }, rules: [ok] }), { code: 'RAMPART_INVALID_OPTION', message: /window/ });
  });

  it('accepts the documented forms', () => {
    build({
      headers: 'draft-8',
      legacyHeaders: true,
      exempt: { paths: ['/health*', /^\/hooks\//], ips: ['10.0.0.0/8', '::1', '2001:db8::/32'] },
      rules: [
        { name: 'a', limit: 5, window: 60_000 },
        { name: 'b-2', limit: 5, window: '90s', algorithm: 'gcra', burst: 10, paths: ['/api/notes/:id', '/api/*'], methods: ['get', 'POST'] },
        { name: 'c_3', limit: 5, window: '1d', algorithm: 'fixed-window', key: { header: 'X-Api-Key' }, cost: 2, onStoreFailure: 'closed' },
        { name: 'd', limit: 5, window: '1h', key: 'user' },
        { name: 'e', limit: 5, window: '1h', key: (state) => state.clientIp, ipv6Prefix: 48 },
      ],
    });
  });

  it('lists its rules after overrides, and has no gate without rules', () => {
    const rampart = createRampart({ profile: 'test', rateLimit: { env: { RATE_LIMIT_B: 'off' }, rules: [ok, { ...ok, name: 'b' }] } });
    assert.deepEqual(rampart.rateLimit.rules, ['ok']);
    void rampart.close();
    const empty = createRampart({ profile: 'test' });
    assert.equal(empty.rateLimit.gate, undefined);
    void empty.close();
  });
});
