import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig, env, forbiddenWhen, requiredWhen, rule, type ConfigIssue } from 'rampart';

const KEY = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';
const TOKEN = 'mT4nB8vC2xZ6lK0jH5gF9dS3aP7oI1uY';
const definition = defineConfig();

function load(env: Record<string, string>, profile = 'production') {
  return definition.load({ env: { APP_ENV: profile, NODE_ENV: 'production', SECRET_KEY: KEY, METRICS_TOKEN: TOKEN, ALLOWED_HOSTS: 'app.example.com', ...env }, envFiles: false });
}

function messages(issues: readonly ConfigIssue[]): string[] {
  return issues.map((issue) => issue.message);
}

describe('production and staging rules', () => {
  it('pass a sound production configuration without a warning', () => {
    const result = load({ DATABASE_URL: 'postgres://app:pw@db.internal/app?sslmode=verify-full', REDIS_URL: 'rediss://:pw@cache:6380', PUBLIC_ORIGIN: 'https://app.example.com', ALLOWED_HOSTS: 'app.example.com' });
    assert.ok(result.ok, messages(result.errors).join('\n'));
    assert.deepEqual(result.warnings, []);
    assert.equal(result.config.COOKIE_SECURE, true, 'secure cookies by default');
    assert.equal(result.config.SESSION_COOKIE_NAME, 'session', 'a base name: sent as __Host-session');
    assert.equal(result.config.LOG_FORMAT, 'json');
  });

  for (const profile of ['production', 'staging']) {
    it(`refuse a weak SECRET_KEY in ${profile}, with the remedy`, () => {
      const short = load({ SECRET_KEY: 'Vq8rT2mXk9LpZ4wN' }, profile);
      assert.deepEqual(short.errors.map((issue) => [issue.message, issue.remedy]), [[`SECRET_KEY must be at least 32 characters in ${profile}`, 'generate one with: rampart secret']]);
      assert.deepEqual(messages(load({ SECRET_KEY: 'dev-secret-key-change-in-production' }, profile).errors), ['SECRET_KEY is a known placeholder or a guessable pattern']);
      assert.deepEqual(messages(load({ SECRET_KEY: 'ab'.repeat(20) }, profile).errors), ['SECRET_KEY is too predictable (repeated or sequential characters)']);
    });
  }

  it('accept any SECRET_KEY in development and test', () => {
    for (const profile of ['development', 'test']) assert.ok(load({ SECRET_KEY: 'changeme' }, profile).ok, profile);
  });

  it('force secure cookies on, refusing an explicit false', () => {
    const result = load({ COOKIE_SECURE: 'false' });
    assert.deepEqual(messages(result.errors), ['COOKIE_SECURE must be true in production']);
    assert.equal(result.errors[0]?.source, 'environment');
  });

  it('refuse cookie settings browsers would drop or that invite CSRF, in any profile', () => {
    const result = load({ COOKIE_SAMESITE: 'none', SESSION_COOKIE_NAME: '__Host-sid' }, 'development');
    assert.deepEqual(messages(result.errors), [
      'COOKIE_SAMESITE must be one of lax, strict (got "none")',
      'SESSION_COOKIE_NAME must be a cookie name (letters, digits and !#$%&\'*+-.^_`|~) without a __ prefix: Rampart adds __Host- itself when cookies are Secure (got "__Host-sid")',
    ]);
  });

  it('refuse DEBUG', () => {
    assert.deepEqual(messages(load({ DEBUG: 'true' }).errors), ['DEBUG must be off in production']);
    assert.deepEqual(messages(load({ DEBUG: 'true' }, 'staging').errors), ['DEBUG must be off in staging']);
    assert.ok(load({ DEBUG: 'true' }, 'development').ok);
  });

  it('refuse * in ALLOWED_HOSTS and CORS_ORIGINS, and warn about plain-HTTP origins', () => {
    const result = load({ ALLOWED_HOSTS: 'example.com,*', CORS_ORIGINS: '*' });
    assert.deepEqual(messages(result.errors), ['ALLOWED_HOSTS may not contain * in production', 'CORS_ORIGINS may not contain * in production']);
    assert.ok(load({ ALLOWED_HOSTS: '*', CORS_ORIGINS: '*' }, 'development').ok);
    assert.deepEqual(messages(load({ CORS_ORIGINS: 'http://partner.example.com,http://localhost:3000' }).warnings), ['CORS_ORIGINS allows http://partner.example.com over plain HTTP in production']);
  });

  it('warn, naming the risk and the remedy, when ALLOWED_HOSTS is empty in production and staging', () => {
    for (const profile of ['production', 'staging']) {
      const result = load({ ALLOWED_HOSTS: '' }, profile);
      assert.ok(result.ok, 'a warning, not an error: a proxy may already pin the Host');
      assert.deepEqual(
        result.warnings.map((issue) => [issue.key, issue.message, issue.remedy]),
        [['ALLOWED_HOSTS', `ALLOWED_HOSTS is empty in ${profile}: requests for any Host are answered (Host-header injection in absolute links, DNS rebinding)`, 'list the host names the service answers to, e.g. ALLOWED_HOSTS=api.example.com']],
      );
    }
    assert.deepEqual(load({ ALLOWED_HOSTS: '' }, 'development').warnings, [], 'development answers any Host without a word');
    assert.deepEqual(load({ ALLOWED_HOSTS: 'api.example.com' }).warnings, []);
  });

  it('refuse an admin bootstrap password in production only', () => {
    assert.deepEqual(messages(load({ ADMIN_PASSWORD: 'first-admin-pass' }).errors), ['ADMIN_PASSWORD (a bootstrap password) is refused in production']);
    assert.ok(load({ ADMIN_PASSWORD: 'first-admin-pass' }, 'staging').ok, 'staging may bootstrap an admin');
  });

  it('refuse database and Redis URLs that cross the network in plaintext, unless allowed', () => {
    const plain = load({ DATABASE_URL: 'postgres://app:pw@10.0.0.5:5432/app', REDIS_URL: 'redis://cache.internal:6379' });
    assert.deepEqual(messages(plain.errors), ['DATABASE_URL points at a non-loopback host without TLS in production', 'REDIS_URL points at a non-loopback host without TLS in production']);
    assert.match(plain.errors[0]?.remedy ?? '', /sslmode=verify-full/);
    assert.match(plain.errors[1]?.remedy ?? '', /rediss:\/\//);
    assert.ok(!JSON.stringify(plain.errors).includes('10.0.0.5'), 'no host in the problem');
    for (const mode of ['prefer', 'allow', 'disable']) assert.equal(load({ DATABASE_URL: `postgres://db.internal/app?sslmode=${mode}` }).ok, false, `sslmode=${mode} falls back to plaintext`);
    for (const url of ['postgres://db.internal/app?sslmode=require', 'postgres://db.internal/app?sslmode=verify-ca', 'postgres://localhost/app', 'postgres://127.0.0.1:5432/app', 'postgres://[::1]/app', 'postgresql:///app?host=/var/run/postgresql', 'sqlite:/var/lib/app/data.sqlite']) {
      assert.ok(load({ DATABASE_URL: url }).ok, url);
    }
    const allowed = load({ REDIS_URL: 'redis://cache.internal:6379', ALLOW_INSECURE_CONNECTIONS: 'REDIS_URL' });
    assert.ok(allowed.ok);
    assert.ok(load({ REDIS_URL: 'redis://cache.internal:6379' }, 'development').ok);
    assert.deepEqual(messages(load({ ALLOW_INSECURE_CONNECTIONS: 'REDIS_ULR' }).warnings), ['ALLOW_INSECURE_CONNECTIONS names REDIS_ULR, which is not a connection setting']);
  });

  it('refuse an http PUBLIC_ORIGIN, and a short METRICS_TOKEN', () => {
    assert.deepEqual(messages(load({ PUBLIC_ORIGIN: 'http://app.example.com' }).errors), ['PUBLIC_ORIGIN must use https in production']);
    assert.deepEqual(messages(load({ METRICS_TOKEN: 'sixteen-chars-ok' }).errors), ['METRICS_TOKEN must be at least 32 characters in production']);
  });

  it('warn without refusing: debug logs, an open /metrics, NODE_ENV, rotation leftovers', () => {
    const result = definition.load({ env: { APP_ENV: 'production', ALLOWED_HOSTS: 'app.example.com', SECRET_KEY: KEY, SECRET_KEY_PREVIOUS: `${KEY},changeme-changeme-changeme-1234`, LOG_LEVEL: 'debug' }, envFiles: false });
    assert.ok(result.ok);
    assert.deepEqual(messages(result.warnings), [
      'SECRET_KEY_PREVIOUS entry 1 is the current SECRET_KEY',
      'SECRET_KEY_PREVIOUS entry 2 is weak: values signed with it can be forged',
      'LOG_LEVEL=debug in production logs request details and costs throughput',
      '/metrics is open to anyone who can reach it in production',
      'NODE_ENV is unset in production: libraries that read it run in development mode',
    ]);
    assert.ok(!JSON.stringify(result.warnings).includes(KEY));
  });

  it('report every problem at once, secrets never included', () => {
    const result = load({ SECRET_KEY: 'changeme', COOKIE_SECURE: 'false', DEBUG: 'yes', ALLOWED_HOSTS: '*', ADMIN_PASSWORD: 'admin-pass-visible', REDIS_URL: 'redis://:redis-pass@cache:6379', LOG_FORMAT: 'xml' });
    assert.deepEqual(messages(result.errors), [
      'LOG_FORMAT must be one of json, pretty (got "xml")',
      'SECRET_KEY must be at least 32 characters in production',
      'SECRET_KEY is a known placeholder or a guessable pattern',
      'COOKIE_SECURE must be true in production',
      'DEBUG must be off in production',
      'ALLOWED_HOSTS may not contain * in production',
      'ADMIN_PASSWORD (a bootstrap password) is refused in production',
      'REDIS_URL points at a non-loopback host without TLS in production',
    ]);
    const text = JSON.stringify([result.errors, result.warnings, result.settings]);
    for (const secret of ['changeme', 'admin-pass-visible', 'redis-pass']) assert.ok(!text.includes(secret), secret);
  });
});

describe('app rules', () => {
  const app = defineConfig(
    {
      EMBEDDING_PROVIDER: env.oneOf(['local', 'openai']).default('local'),
      OPENAI_API_KEY: env.secret().optional(),
      MAX_UPLOAD_MB: env.integer({ min: 1 }).default(10),
      MAX_BODY_MB: env.integer({ min: 1 }).default(20),
      DEMO_MODE: env.boolean().default(false),
    },
    {
      rules: [
        requiredWhen('OPENAI_API_KEY', { EMBEDDING_PROVIDER: 'openai' }, { remedy: 'create a key at platform.openai.com' }),
        forbiddenWhen('DEMO_MODE', { APP_ENV: 'production', DEMO_MODE: true }),
        rule(['MAX_UPLOAD_MB', 'MAX_BODY_MB'], (config) =>
          (config['MAX_UPLOAD_MB'] as number) > (config['MAX_BODY_MB'] as number) ? { key: 'MAX_UPLOAD_MB', message: 'MAX_UPLOAD_MB must not exceed MAX_BODY_MB', severity: 'warning' } : undefined,
        ),
      ],
    },
  );
  const loadApp = (values: Record<string, string>) => app.load({ env: { APP_ENV: 'test', ...values }, envFiles: false });

  it('requires provider-dependent keys only when the provider is chosen', () => {
    assert.ok(loadApp({}).ok);
    const missing = loadApp({ EMBEDDING_PROVIDER: 'openai' });
    assert.deepEqual(missing.errors.map((issue) => [issue.message, issue.remedy]), [['OPENAI_API_KEY is required when EMBEDDING_PROVIDER is openai', 'create a key at platform.openai.com']]);
    assert.ok(loadApp({ EMBEDDING_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test' }).ok);
  });

  it('forbids keys by condition, including the profile', () => {
    assert.ok(loadApp({ DEMO_MODE: 'true' }).ok);
    const result = app.load({ env: { APP_ENV: 'production', SECRET_KEY: KEY, METRICS_TOKEN: TOKEN, NODE_ENV: 'production', DEMO_MODE: 'true' }, envFiles: false });
    assert.deepEqual(messages(result.errors), ['DEMO_MODE must not be set when APP_ENV is production and DEMO_MODE is true']);
  });

  it('runs custom rules, with warnings that do not refuse', () => {
    const result = loadApp({ MAX_UPLOAD_MB: '50' });
    assert.ok(result.ok);
    assert.deepEqual(messages(result.warnings), ['MAX_UPLOAD_MB must not exceed MAX_BODY_MB']);
  });

  it('skips rules over a setting that failed to parse: one typo, one problem', () => {
    const result = loadApp({ EMBEDDING_PROVIDER: 'opneai', MAX_BODY_MB: 'lots' });
    assert.deepEqual(messages(result.errors), ['EMBEDDING_PROVIDER must be one of local, openai (got "opneai")', 'MAX_BODY_MB must be a whole number (got "lots")']);
  });
});
