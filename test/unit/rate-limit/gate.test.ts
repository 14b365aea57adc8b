import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, it } from 'node:test';
import { CHANNEL_NAMES } from 'rampart';
import { limitedApp } from './app.js';

describe('rate-limit gate', () => {
  it('answers 429 problem+json with Retry-After, RateLimit headers and the request id', async () => {
    const { send } = await limitedApp({ rules: [{ name: 'auth', limit: 2, window: '1m', paths: '/login' }] });
    await send('/login');
    await send('/login');
    const response = await send('/login', { headers: { 'x-request-id': 'limited-1' } });
    assert.equal(response.status, 429);
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(response.body['code'], 'RATE_LIMITED');
    assert.equal(response.body['requestId'], 'limited-1');
    assert.equal(response.body['instance'], '/login');
    const retryAfter = Number(response.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 120, String(retryAfter));
    assert.match(String(response.body['detail']), new RegExp(`Try again in ${retryAfter} second`));
    assert.equal(response.headers['ratelimit-policy'], '"auth";q=2;w=60');
    assert.match(response.headers['ratelimit'] ?? '', /^"auth";r=0;t=\d+$/);
  });

  it('decides every matching rule together: a rejection by one rule spends no other', async () => {
    const { send } = await limitedApp({
      rules: [
        { name: 'auth', limit: 3, window: '1m', paths: '/login', methods: ['POST'] },
        { name: 'global', limit: 100, window: '1h' },
      ],
    });
    for (let i = 0; i < 3; i++) assert.equal((await send('/login', { method: 'POST' })).status, 200);
    for (let i = 0; i < 20; i++) assert.equal((await send('/login', { method: 'POST' })).status, 429);
    // 3 admitted logins + this request: the 20 rejected ones were not counted globally.
    assert.match((await send('/x')).headers['ratelimit'] ?? '', /^"global";r=96;/);
  });

  it('Retry-After covers every rejecting rule: the longest wait', async () => {
    const { send } = await limitedApp({
      rules: [
        { name: 'short', limit: 1, window: '10s', algorithm: 'fixed-window' },
        { name: 'long', limit: 1, window: '1h', algorithm: 'fixed-window' },
      ],
    });
    await send('/x');
    const response = await send('/x');
    assert.equal(response.status, 429);
    assert.ok(Number(response.headers['retry-after']) > 3500, response.headers['retry-after']);
    assert.match(response.headers['ratelimit'] ?? '', /^"short";r=0;t=\d+, "long";r=0;t=\d+$/);
  });

  it('covers only the methods and paths of a rule; a GET rule covers HEAD', async () => {
    const { send } = await limitedApp({
      rules: [
        { name: 'writes', limit: 1, window: '1m', methods: ['POST'], paths: '/x' },
        { name: 'notes', limit: 1, window: '1m', methods: ['GET'], paths: '/api/notes/:id' },
      ],
    });
    assert.equal((await send('/x', { method: 'POST' })).status, 200);
    assert.equal((await send('/x', { method: 'POST' })).status, 429);
    assert.equal((await send('/x')).status, 200, 'GET is not a write');
    assert.equal((await send('/y', { method: 'POST' })).status, 200, 'another path');
    assert.equal((await send('/api/notes/1')).status, 200);
    assert.equal((await send('/api/notes/2', { method: 'HEAD' })).status, 429, 'HEAD spends the GET budget, any :id');
  });

  it('cannot be dodged by spelling the path differently', async () => {
    const { send } = await limitedApp({ rules: [{ name: 'auth', limit: 1, window: '1m', paths: '/login' }] });
    assert.equal((await send('/login')).status, 200);
    for (const spelling of ['/login/', '/LOGIN', '//login', '/%6Cogin', '/x/../login', '/login?x=1']) {
      assert.equal((await send(spelling)).status, 429, spelling);
    }
  });

  it('skips exempt paths (health by default) and allow-listed CIDRs', async () => {
    const defaults = await limitedApp({ rules: [{ name: 'all', limit: 1, window: '1m' }] });
    // /health itself is answered by the health endpoint before any rule; /live is a default exemption.
    for (let i = 0; i < 5; i++) assert.equal((await defaults.send('/live')).status, 404);
    const custom = await limitedApp({ rules: [{ name: 'all', limit: 1, window: '1m' }], exempt: { paths: ['/webhooks/*'], ips: ['10.0.0.0/8', '2001:db8::/32'] } });
    for (let i = 0; i < 5; i++) assert.equal((await custom.send('/webhooks/stripe')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await custom.send('/x', { ip: '10.9.8.7' })).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await custom.send('/x', { ip: '2001:db8:1::5' })).status, 200);
    assert.equal((await custom.send('/x', { ip: '11.0.0.1' })).status, 200);
    assert.equal((await custom.send('/x', { ip: '11.0.0.1' })).status, 429);
    assert.equal((await custom.send('/live', { ip: '11.0.0.2' })).status, 404);
    assert.equal((await custom.send('/live', { ip: '11.0.0.2' })).status, 429, 'a list you pass replaces the defaults');
  });

  it('counts IPv6 clients by /64, so rotating addresses in one allocation buys nothing', async () => {
    const { send } = await limitedApp({ rules: [{ name: 'all', limit: 2, window: '1m' }] });
    assert.equal((await send('/x', { ip: '2001:db8:aaaa:1::1' })).status, 200);
    assert.equal((await send('/x', { ip: '2001:db8:aaaa:1:ffff::9' })).status, 200);
    assert.equal((await send('/x', { ip: '2001:db8:aaaa:1:1234:5678:9abc:def0' })).status, 429);
    assert.equal((await send('/x', { ip: '2001:db8:aaaa:2::1' })).status, 200, 'another /64 is another client');
  });

  it('keys by API key header; without one, by IP; a key cannot pose as an IP', async () => {
    const { send } = await limitedApp({ rules: [{ name: 'api', limit: 1, window: '1m', key: { header: 'x-api-key' } }] });
    assert.equal((await send('/x', { headers: { 'x-api-key': 'key-1' } })).status, 200);
    assert.equal((await send('/x', { headers: { 'x-api-key': 'key-1' } })).status, 429);
    assert.equal((await send('/x', { headers: { 'x-api-key': 'key-2' } })).status, 200);
    assert.equal((await send('/x', { ip: '198.51.100.7' })).status, 200);
    assert.equal((await send('/x', { ip: '198.51.100.7' })).status, 429);
    assert.equal((await send('/x', { ip: '198.51.100.8', headers: { 'x-api-key': '198.51.100.9' } })).status, 200);
    assert.equal((await send('/x', { ip: '198.51.100.9' })).status, 200, "a header value equal to an IP did not spend that IP's budget");
  });

  it("key 'route' counts everyone together per pattern; a key function may skip a request", async () => {
    const { send } = await limitedApp({
      rules: [
        { name: 'notes-total', limit: 2, window: '1m', key: 'route', paths: ['/api/notes/:id'] },
        { name: 'tenant', limit: 1, window: '1m', key: (state) => (state.path === '/y' ? 'tenant-y' : undefined) },
      ],
    });
    assert.equal((await send('/api/notes/1', { ip: '192.0.2.1' })).status, 200);
    assert.equal((await send('/api/notes/2', { ip: '192.0.2.2' })).status, 200);
    assert.equal((await send('/api/notes/3', { ip: '192.0.2.3' })).status, 429);
    assert.equal((await send('/x')).status, 200);
    assert.equal((await send('/x')).status, 200, 'the key function skipped /x');
    assert.equal((await send('/y')).status, 200);
    assert.equal((await send('/y', { ip: '192.0.2.9' })).status, 429);
  });

  it('weighs requests by cost', async () => {
    const { send } = await limitedApp({ rules: [{ name: 'weighted', limit: 10, window: '1m', cost: (state) => (state.method === 'POST' ? 5 : 1) }] });
    assert.match((await send('/x', { method: 'POST' })).headers['ratelimit'] ?? '', /r=5;/);
    assert.match((await send('/x')).headers['ratelimit'] ?? '', /r=4;/);
    assert.equal((await send('/x', { method: 'POST' })).status, 429);
    assert.equal((await send('/x')).status, 200);
  });

  it('publishes each decision for metrics, by rule and outcome', async () => {
    const seen: { rule: unknown; outcome: unknown; retryAfterSeconds?: unknown }[] = [];
    const listener = (message: unknown): void => {
      const { rule, outcome, retryAfterSeconds } = message as Record<string, unknown>;
      seen.push(retryAfterSeconds === undefined ? { rule, outcome } : { rule, outcome, retryAfterSeconds });
    };
    subscribe(CHANNEL_NAMES.rateLimitDecision, listener);
    try {
      const { send } = await limitedApp({ rules: [{ name: 'chan', limit: 1, window: '10s', algorithm: 'fixed-window', paths: '/x' }] });
      await send('/x');
      await send('/x');
    } finally {
      unsubscribe(CHANNEL_NAMES.rateLimitDecision, listener);
    }
    assert.deepEqual(
      seen.filter((event) => event.rule === 'chan'),
      [
        { rule: 'chan', outcome: 'allowed' },
        { rule: 'chan', outcome: 'rejected', retryAfterSeconds: 10 },
      ],
    );
  });

  it('dry run: decides, logs and publishes, but never rejects and sends no headers', async () => {
    const outcomes: unknown[] = [];
    const listener = (message: unknown): void => void outcomes.push((message as { outcome: unknown }).outcome);
    subscribe(CHANNEL_NAMES.rateLimitDecision, listener);
    let logs;
    try {
      const limited = await limitedApp({ dryRun: true, rules: [{ name: 'dry', limit: 1, window: '1m' }] });
      logs = limited.logs;
      for (let i = 0; i < 3; i++) {
        const response = await limited.send('/x');
        assert.equal(response.status, 200);
        assert.equal(response.headers['ratelimit'], undefined);
      }
    } finally {
      unsubscribe(CHANNEL_NAMES.rateLimitDecision, listener);
    }
    assert.deepEqual(outcomes, ['allowed', 'dry-run-rejected', 'dry-run-rejected']);
    const lines = logs.lines.filter((line) => line['code'] === 'RAMPART_RATE_LIMIT_DRY_RUN');
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0]?.['rules'], ['dry']);
  });

  it('RATE_LIMIT_ENABLED=false switches it off, and says so in production', async () => {
    const { send, logs } = await limitedApp({ env: { RATE_LIMIT_ENABLED: 'false' }, rules: [{ name: 'all', limit: 1, window: '1m' }] });
    for (let i = 0; i < 3; i++) {
      const response = await send('/x');
      assert.equal(response.status, 200);
      assert.equal(response.headers['ratelimit'], undefined);
    }
    assert.equal(logs.lines.filter((line) => line['code'] === 'RAMPART_RATE_LIMIT_DISABLED').length, 1);
  });

  it('environment overrides a rule: RATE_LIMIT_<NAME>=limit/window, or off', async () => {
    const { send } = await limitedApp({
      env: { RATE_LIMIT_AUTH: '2/30s', RATE_LIMIT_NOISY: 'off' },
      rules: [
        { name: 'auth', limit: 50, window: '1h', paths: '/login' },
        { name: 'noisy', limit: 1, window: '1h', paths: '/x' },
      ],
    });
    assert.equal((await send('/login')).headers['ratelimit-policy'], '"auth";q=2;w=30');
    await send('/login');
    assert.equal((await send('/login')).status, 429);
    for (let i = 0; i < 3; i++) assert.equal((await send('/x')).status, 200);
  });

  it('legacy X-RateLimit-* headers on request, and older drafts by setting', async () => {
    const legacy = await limitedApp({ legacyHeaders: true, headers: false, rules: [{ name: 'l', limit: 5, window: '1m', algorithm: 'fixed-window' }] });
    const before = Math.floor(Date.now() / 1000);
    const response = await legacy.send('/x');
    assert.equal(response.headers['ratelimit'], undefined);
    assert.equal(response.headers['x-ratelimit-limit'], '5');
    assert.equal(response.headers['x-ratelimit-remaining'], '4');
    const reset = Number(response.headers['x-ratelimit-reset']);
    assert.ok(reset >= before + 59 && reset <= before + 61, 'epoch seconds of the reset');

    const draft7 = await limitedApp({ headers: 'draft-7', rules: [{ name: 'a', limit: 5, window: '1m', algorithm: 'fixed-window' }] });
    const seven = await draft7.send('/x');
    assert.equal(seven.headers['ratelimit-policy'], '5;w=60');
    assert.equal(seven.headers['ratelimit'], 'limit=5, remaining=4, reset=60');

    const draft6 = await limitedApp({ headers: 'draft-6', rules: [{ name: 'a', limit: 5, window: '1m', algorithm: 'fixed-window' }] });
    const six = await draft6.send('/x');
    assert.deepEqual(
      [six.headers['ratelimit-limit'], six.headers['ratelimit-remaining'], six.headers['ratelimit-reset'], six.headers['ratelimit']],
      ['5', '4', '60', undefined],
    );
  });
});
