import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRampart, defineConfig, keyringFrom, optionsFrom } from 'rampart';

const OLD = 'N3vL8qR1tZ6yB0cX5wM2kJ9hG4fD7sA1pO8iU3eY6rT';
const NEW = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';
const NEWER = 'cX5wM2kJ9hG4fD7sA1pO8iU3eY6rTN3vL8qR1tZ6yB0';
const definition = defineConfig();

function configWith(env: Record<string, string>) {
  return definition.parse({ env: { APP_ENV: 'test', ...env }, envFiles: false });
}

describe('optionsFrom', () => {
  it('turns the configuration into createRampart options in one call', () => {
    const config = configWith({ APP_ENV: 'staging', NODE_ENV: 'production', SECRET_KEY: NEW, TRUST_PROXY: '1', LOG_LEVEL: 'warning', LOG_FORMAT: 'json' });
    const options = optionsFrom(config);
    assert.equal(options.profile, 'staging');
    assert.equal(options.trustProxy, 1);
    assert.deepEqual(options.log, { level: 'warn', format: 'json' });
    const rampart = createRampart({ ...options, log: { ...options.log, level: 'silent' } });
    assert.equal(rampart.profile, 'staging');
    assert.equal(rampart.keyring.sign('csrf', 'm'), keyringFrom(config).sign('csrf', 'm'), 'the engine signs with the configured SECRET_KEY');
  });

  it('maps cookies, CORS, CSRF origins, rate limiting and metrics access, and createRampart accepts them', () => {
    const token = 'mT4nB8vC2xZ6lK0jH5gF9dS3aP7oI1uY';
    const config = configWith({
      APP_ENV: 'production',
      NODE_ENV: 'production',
      SECRET_KEY: NEW,
      METRICS_TOKEN: token,
      CORS_ORIGINS: 'https://app.example.com',
      PUBLIC_ORIGIN: 'https://api.example.com',
      COOKIE_SAMESITE: 'strict',
      SESSION_COOKIE_NAME: 'sid',
      SESSION_MAX_AGE: '12h',
      RATE_LIMIT_ENABLED: 'false',
    });
    const options = optionsFrom(config);
    assert.deepEqual(options.cookies, { secure: true, sameSite: 'strict', sessionName: 'sid', sessionMaxAge: 43_200 });
    assert.deepEqual(options.cors, { origins: ['https://app.example.com'] });
    assert.deepEqual(options.csrf, { origins: ['https://api.example.com'] });
    assert.deepEqual(options.rateLimit, { enabled: false });
    assert.equal((options.admin?.token as { reveal(): string }).reveal(), token);
    assert.equal(options.metrics, undefined);
    const rampart = createRampart({ ...options, log: { level: 'silent' } });
    assert.equal(rampart.profile, 'production');
    assert.equal(optionsFrom(configWith({ METRICS_ENABLED: 'false' })).metrics, false);
    assert.deepEqual(optionsFrom(configWith({ CORS_ORIGINS: '*' })).cors, { origins: '*' });
    assert.equal(optionsFrom(configWith({})).cors, undefined, 'CORS stays off without origins');
  });

  it('hands /status the redacted summary: every setting with its source, no secret', () => {
    const config = configWith({ SECRET_KEY: NEW, LOG_LEVEL: 'info', REDIS_URL: 'redis://:cache-pass@127.0.0.1:6379' });
    const status = optionsFrom(config).status;
    const summary = (status === false ? undefined : status?.config) as Record<string, { value?: string; source: string }>;
    assert.deepEqual(summary['LOG_LEVEL'], { value: 'info', source: 'environment' });
    assert.deepEqual(summary['SECRET_KEY'], { value: '[redacted]', source: 'environment' });
    assert.deepEqual(summary['REDIS_URL'], { value: 'redis://:[redacted]@127.0.0.1:6379', source: 'environment' });
    assert.deepEqual(summary['LOG_FILE'], { source: 'unset' });
    assert.ok(!JSON.stringify(summary).includes(NEW) && !JSON.stringify(summary).includes('cache-pass'));
  });

  it('merges overrides one level deep, so adding rules keeps the configured switch', () => {
    const config = configWith({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'info' });
    const options = optionsFrom(config, { rateLimit: { dryRun: true }, log: { slowMs: 500 }, requestIdHeader: 'x-correlation-id', cors: false });
    assert.deepEqual(options.rateLimit, { enabled: false, dryRun: true });
    assert.deepEqual(options.log, { level: 'info', format: 'json', slowMs: 500 });
    assert.equal(options.requestIdHeader, 'x-correlation-id');
    assert.equal(options.cors, false);
  });

  it('parses TRUST_PROXY as createRampart understands it, refusing true', () => {
    assert.equal(configWith({ TRUST_PROXY: 'false' }).TRUST_PROXY, false);
    assert.deepEqual(configWith({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY, ['loopback', '10.0.0.0/8']);
    const refused = definition.load({ env: { APP_ENV: 'test', TRUST_PROXY: 'true' }, envFiles: false });
    assert.match(refused.errors[0]?.message ?? '', /^TRUST_PROXY may not be true/);
    const bad = definition.load({ env: { APP_ENV: 'test', TRUST_PROXY: '10.0.0.0/99' }, envFiles: false });
    assert.match(bad.errors[0]?.message ?? '', /^TRUST_PROXY must be false, a number of proxies/);
  });
});

describe('secret rotation', () => {
  it('verifies values signed with a previous key; signs new ones with the current key', () => {
    const before = keyringFrom(configWith({ SECRET_KEY: OLD }));
    const oldToken = before.sign('csrf', 'session-1');
    const oldCookie = before.sign('cookie', 'user=42');

    const rotated = keyringFrom(configWith({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD }));
    assert.equal(rotated.verify('csrf', 'session-1', oldToken), 'previous');
    assert.equal(rotated.verify('cookie', 'user=42', oldCookie), 'previous');
    const newToken = rotated.sign('csrf', 'session-1');
    assert.notEqual(newToken, oldToken);
    assert.equal(rotated.verify('csrf', 'session-1', newToken), 'current');
    assert.equal(before.verify('csrf', 'session-1', newToken), false, 'the old key cannot verify new values');
    assert.equal(rotated.verify('cookie', 'session-1', newToken), false, 'keys are per purpose');
  });

  it('accepts several previous keys, comma- or newline-separated, and drops them cleanly', () => {
    const tokenFromOld = keyringFrom(configWith({ SECRET_KEY: OLD })).sign('csrf', 'x');
    const tokenFromNew = keyringFrom(configWith({ SECRET_KEY: NEW })).sign('csrf', 'x');
    const twice = keyringFrom(configWith({ SECRET_KEY: NEWER, SECRET_KEY_PREVIOUS: `${NEW}\n${OLD}` }));
    assert.equal(twice.verify('csrf', 'x', tokenFromOld), 'previous');
    assert.equal(twice.verify('csrf', 'x', tokenFromNew), 'previous');
    const done = keyringFrom(configWith({ SECRET_KEY: NEWER }));
    assert.equal(done.verify('csrf', 'x', tokenFromOld), false, 'a dropped key no longer verifies');
  });

  it('refuses previous keys too short to be real, without echoing them', () => {
    const result = definition.load({ env: { APP_ENV: 'test', SECRET_KEY_PREVIOUS: `${OLD},tiny` }, envFiles: false });
    assert.deepEqual(result.errors.map((issue) => issue.message), ['SECRET_KEY_PREVIOUS entry 2 must be at least 16 characters']);
    assert.ok(!JSON.stringify(result.errors).includes(OLD));
  });
});
