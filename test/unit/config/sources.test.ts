import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defineConfig, env } from 'rampart';
import * as z from 'zod';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory holding the given files. */
function directory(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-config-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const definition = defineConfig({ GREETING: env.string().default('hello'), API_TOKEN: z.string().optional() });
const GOOD_KEY = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';

function setting(result: ReturnType<typeof definition.load>, key: string) {
  return result.settings.find((entry) => entry.key === key);
}

describe('configuration sources', () => {
  it('ranks defaults < .env < .env.<profile> < environment, and reports each value’s source', () => {
    const files = { '.env': 'LOG_LEVEL=info\n', '.env.development': 'LOG_LEVEL=warn\n' };
    const cases: [Record<string, string>, Record<string, string>, string, string][] = [
      [{}, {}, 'debug', 'default (development)'],
      [{ '.env': files['.env'] }, {}, 'info', '.env'],
      [files, {}, 'warn', '.env.development'],
      [files, { LOG_LEVEL: 'error' }, 'error', 'environment'],
    ];
    for (const [present, environment, level, source] of cases) {
      const result = definition.load({ cwd: directory(present), env: environment });
      assert.ok(result.ok);
      assert.equal(result.config.LOG_LEVEL, level);
      assert.equal(setting(result, 'LOG_LEVEL')?.source, source);
    }
  });

  it('reads NAME_FILE over the defaults, trimming exactly one trailing newline', () => {
    const dir = directory({ 'greeting.txt': 'from file\n\n', 'crlf.txt': 'windows\r\n' });
    const result = definition.load({ cwd: dir, env: { API_TOKEN_FILE: 'greeting.txt', GREETING_FILE: 'greeting.txt' } });
    assert.ok(result.ok);
    assert.equal(result.config.API_TOKEN, 'from file\n', 'one newline removed, the rest kept (z.string() does not trim)');
    assert.equal(result.config.GREETING, 'from file', 'env.string() trims');
    assert.equal(setting(result, 'GREETING')?.source, 'GREETING_FILE');
    const crlf = definition.load({ cwd: dir, env: { API_TOKEN_FILE: join(dir, 'crlf.txt') } });
    assert.equal(crlf.config?.API_TOKEN, 'windows');
  });

  it('refuses NAME and NAME_FILE together, from any sources', () => {
    const dir = directory({ '.env': 'SECRET_KEY=from-dotenv-0123456789abcdefghijkl\n', 'key.txt': `${GOOD_KEY}\n` });
    const result = definition.load({ cwd: dir, env: { SECRET_KEY_FILE: 'key.txt' } });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((issue) => issue.message),
      ['SECRET_KEY and SECRET_KEY_FILE are both set (SECRET_KEY from .env, SECRET_KEY_FILE from environment)'],
    );
  });

  it('names the variable when its file cannot be read, never the content', () => {
    const dir = directory({ 'huge.txt': 'x'.repeat(1024 * 1024 + 1) });
    mkdirSync(join(dir, 'folder'));
    const missing = definition.load({ cwd: dir, env: { SECRET_KEY_FILE: '/run/secrets/does-not-exist' } });
    assert.equal(missing.errors[0]?.message, 'SECRET_KEY_FILE names a file that does not exist: "/run/secrets/does-not-exist"');
    assert.equal(missing.errors[0]?.key, 'SECRET_KEY');
    const folder = definition.load({ cwd: dir, env: { SECRET_KEY_FILE: 'folder' } });
    assert.match(folder.errors[0]?.message ?? '', /^SECRET_KEY_FILE names a file that is a directory/);
    const huge = definition.load({ cwd: dir, env: { SECRET_KEY_FILE: 'huge.txt' } });
    assert.match(huge.errors[0]?.message ?? '', /^SECRET_KEY_FILE names a file that is larger than 1024 KiB/);
    for (const result of [missing, folder, huge]) assert.ok(!result.ok);
  });

  it('treats an empty value as unset, so templates can list every key', () => {
    const dir = directory({ '.env': 'LOG_LEVEL=info\nGREETING=\n' });
    const result = definition.load({ cwd: dir, env: { LOG_LEVEL: '' } });
    assert.ok(result.ok);
    assert.equal(result.config.LOG_LEVEL, 'info', 'an empty environment value falls through to .env');
    assert.equal(result.config.GREETING, 'hello', 'an empty .env value falls through to the default');
  });

  it('is quiet: loading writes nothing to stdout or stderr', (t) => {
    const stdout = t.mock.method(process.stdout, 'write');
    const stderr = t.mock.method(process.stderr, 'write');
    definition.load({ cwd: directory({ '.env': 'LOG_LEVLE=debug\nbad line\n' }), env: {} });
    assert.equal(stdout.mock.callCount() + stderr.mock.callCount(), 0);
  });
});

describe('profile selection', () => {
  it('takes APP_ENV from the environment, then the files, then NODE_ENV, else development', () => {
    const dir = directory({ '.env': 'APP_ENV=staging\n' });
    assert.equal(definition.load({ cwd: dir, env: { APP_ENV: 'test' } }).profile, 'test');
    assert.equal(definition.load({ cwd: dir, env: { NODE_ENV: 'test' } }).profile, 'staging', 'APP_ENV anywhere wins over NODE_ENV');
    assert.equal(definition.load({ cwd: directory(), env: { NODE_ENV: 'test' } }).profile, 'test');
    assert.equal(definition.load({ cwd: directory(), env: { APP_ENV: 'Production', SECRET_KEY: GOOD_KEY } }).profile, 'production');
    const fallback = definition.load({ cwd: directory(), env: {} });
    assert.equal(fallback.profile, 'development');
    assert.equal(fallback.profileSource, 'default');
    assert.equal(fallback.config?.APP_ENV, 'development');
  });

  it('reads .env.<profile> for the profile .env names', () => {
    const dir = directory({ '.env': 'APP_ENV=test\n', '.env.test': 'GREETING=from test file\n', '.env.development': 'GREETING=wrong\n' });
    assert.equal(definition.load({ cwd: dir, env: {} }).config?.GREETING, 'from test file');
  });

  it('refuses an unknown profile name and checks with the production rules meanwhile', () => {
    const result = definition.load({ cwd: directory(), env: { APP_ENV: 'prod' } });
    assert.ok(!result.ok);
    assert.equal(result.profile, 'production');
    const messages = result.errors.map((issue) => issue.message);
    assert.ok(messages.includes('APP_ENV must be one of development, test, staging, production (got "prod"); checking with the production rules'), messages.join('\n'));
    assert.ok(messages.includes('SECRET_KEY is required'), 'production rules applied: no generated key');
    const typo = definition.load({ cwd: directory(), env: { NODE_ENV: 'prod' } });
    assert.match(typo.errors[0]?.message ?? '', /^NODE_ENV must be one of/);
  });

  it('refuses a .env.<profile> that names another profile', () => {
    const result = definition.load({ cwd: directory({ '.env.test': 'APP_ENV=production\n' }), env: { APP_ENV: 'test' } });
    assert.deepEqual(result.errors.map((issue) => issue.message), ['.env.test sets APP_ENV to another profile']);
  });

  it('lets the caller force a profile (rampart check --profile)', () => {
    const result = definition.load({ cwd: directory(), env: { APP_ENV: 'development' }, profile: 'production' });
    assert.equal(result.profile, 'production');
    assert.ok(result.errors.some((issue) => issue.message === 'SECRET_KEY is required'));
  });
});

describe('env files', () => {
  it('reads given files in order instead of .env discovery; the environment still wins', () => {
    const dir = directory({ '.env': 'GREETING=ignored\n', 'a.env': 'GREETING=a\nLOG_LEVEL=info\n', 'b.env': 'GREETING=b\n' });
    const result = definition.load({ cwd: dir, env: { LOG_LEVEL: 'error' }, envFiles: ['a.env', join(dir, 'b.env')] });
    assert.equal(result.config?.GREETING, 'b');
    assert.equal(result.config?.LOG_LEVEL, 'error');
    const missing = definition.load({ cwd: dir, env: {}, envFiles: ['nope.env'] });
    assert.deepEqual(missing.errors.map((issue) => issue.message), ['env file nope.env does not exist']);
  });

  it('reports malformed lines with the file and line, and flags likely typos', () => {
    const result = definition.load({ cwd: directory({ '.env': 'GREETING=hi\nthis is not an assignment\nLOG_LEVLE=debug\nGREETING=again\nUNRELATED_TOOL=1\n' }), env: {} });
    assert.deepEqual(result.errors.map((issue) => issue.message), ['.env line 2: expected NAME=value']);
    assert.deepEqual(result.warnings.map((issue) => issue.message), ['GREETING is set twice in .env (line 4 wins)', 'LOG_LEVLE in .env is not a setting — did you mean LOG_LEVEL?']);
  });
});

describe('secrets in reports', () => {
  it('generates a per-process SECRET_KEY outside production, and requires one there', () => {
    const first = definition.load({ cwd: directory(), env: { APP_ENV: 'development' } });
    const second = definition.load({ cwd: directory(), env: { APP_ENV: 'test' } });
    assert.equal(setting(first, 'SECRET_KEY')?.source, 'generated');
    assert.notEqual(first.config?.SECRET_KEY.reveal(), second.config?.SECRET_KEY.reveal());
    assert.ok((first.config?.SECRET_KEY.reveal().length ?? 0) >= 32);
    for (const profile of ['staging', 'production']) {
      const result = definition.load({ cwd: directory(), env: { APP_ENV: profile } });
      const issue = result.errors.find((entry) => entry.key === 'SECRET_KEY');
      assert.equal(issue?.message, 'SECRET_KEY is required');
      assert.equal(issue?.remedy, 'generate one with: rampart secret — then set SECRET_KEY or SECRET_KEY_FILE');
    }
  });

  it('redacts secrets in the summary — declared ones, secret-looking names and connection passwords', () => {
    const result = definition.load({
      cwd: directory(),
      env: { SECRET_KEY: GOOD_KEY, API_TOKEN: 'tok-visible-nowhere', DATABASE_URL: 'postgres://app:db-pass-123@db.internal:5432/app', GREETING: 'plain' },
    });
    const summary = JSON.stringify(result.settings);
    for (const value of [GOOD_KEY, 'tok-visible-nowhere', 'db-pass-123']) assert.ok(!summary.includes(value), value);
    assert.equal(setting(result, 'SECRET_KEY')?.value, '[redacted]');
    assert.equal(setting(result, 'API_TOKEN')?.value, '[redacted]');
    assert.equal(setting(result, 'DATABASE_URL')?.value, 'postgres://app:[redacted]@db.internal:5432/app');
    assert.equal(setting(result, 'GREETING')?.value, 'plain');
    assert.equal(setting(result, 'COOKIE_SECURE')?.value, 'false', 'switches named like cookies are not secrets');
  });

  it('never puts a secret’s value in a problem, and truncates other bad values', () => {
    const result = definition.load({
      cwd: directory(),
      env: { METRICS_TOKEN: 'short-tok', DATABASE_URL: 'mysql://root:hunter2@db/app', LOG_LEVEL: 'x'.repeat(100) },
    });
    const text = JSON.stringify(result.errors);
    assert.ok(!text.includes('short-tok') && !text.includes('hunter2'), text);
    const messages = result.errors.map((issue) => issue.message);
    assert.ok(messages.includes('METRICS_TOKEN must be at least 16 characters'), messages.join('\n'));
    assert.ok(messages.includes('DATABASE_URL must be a postgres, postgresql, sqlite URL'));
    assert.ok(messages.includes(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${'x'.repeat(40)}…")`));
  });
});
