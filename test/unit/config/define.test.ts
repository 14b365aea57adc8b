import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, RAMPART_SETTINGS, RampartError, defineConfig, describeConfig, env, requiredWhen, type ConfigOf, type Secret } from 'rampart';
import * as z from 'zod';

const KEY = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';

describe('defineConfig', () => {
  it('extends Rampart’s settings with the app’s keys, fully typed and frozen', () => {
    const shape = { OPENAI_API_KEY: env.secret().optional(), WORKERS: env.integer({ min: 1, max: 64 }).default(4), REGION: z.enum(['eu', 'us']) };
    const definition = defineConfig(shape);
    const config: ConfigOf<typeof shape> = definition.parse({ env: { APP_ENV: 'test', REGION: 'eu', OPENAI_API_KEY: 'sk-1' }, envFiles: false });
    // Compile-time types: each line would fail type-checking if the inference were wrong.
    const workers: number = config.WORKERS;
    const region: 'eu' | 'us' = config.REGION;
    const openai: Secret | undefined = config.OPENAI_API_KEY;
    const secure: boolean = config.COOKIE_SECURE;
    const origins: readonly string[] = config.CORS_ORIGINS;
    assert.deepEqual([workers, region, openai?.reveal(), secure, origins], [4, 'eu', 'sk-1', false, []]);
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { WORKERS: number }).WORKERS = 8;
    }, TypeError);
    assert.ok(Object.isFrozen(config.CORS_ORIGINS));
    assert.deepEqual(definition.keys, [...Object.keys(RAMPART_SETTINGS), 'OPENAI_API_KEY', 'WORKERS', 'REGION']);
    assert.ok(definition.secretKeys.includes('OPENAI_API_KEY') && definition.secretKeys.includes('SECRET_KEY'));
  });

  it('lets an app key replace Rampart’s key of the same name', () => {
    const definition = defineConfig({ DATABASE_URL: env.postgresUrl() });
    const result = definition.load({ env: { APP_ENV: 'test' }, envFiles: false });
    assert.deepEqual(result.errors.map((issue) => issue.message), ['DATABASE_URL is required']);
  });

  it('applies per-profile defaults for the app’s keys', () => {
    const definition = defineConfig({ DATABASE_URL: env.databaseUrl().optional() }, { defaults: { development: { DATABASE_URL: 'sqlite:./data/dev.sqlite' } } });
    const development = definition.parse({ env: {}, envFiles: false });
    assert.equal(development.DATABASE_URL?.reveal(), 'sqlite:./data/dev.sqlite');
    assert.equal(describeConfig(development).find((entry) => entry.key === 'DATABASE_URL')?.source, 'default (development)');
    const production = definition.parse({ env: { APP_ENV: 'production', SECRET_KEY: KEY }, envFiles: false });
    assert.equal(production.DATABASE_URL, undefined);
  });

  it('refuses a malformed definition at once, naming what is wrong', () => {
    const bad: [string, () => unknown][] = [
      ['lower-case key', () => defineConfig({ port: env.port() })],
      ['not a schema', () => defineConfig({ PORT: 3000 as unknown as z.ZodType })],
      ['rule over an unknown key', () => defineConfig({}, { rules: [requiredWhen('OPENAI_KEY', { PROVIDER: 'openai' })] })],
      ['default for an unknown profile', () => defineConfig({}, { defaults: { prod: { LOG_LEVEL: 'info' } } as never })],
      ['default for an unknown key', () => defineConfig({}, { defaults: { development: { NOPE: '1' } } })],
    ];
    for (const [what, define] of bad) {
      assert.throws(define, (error: unknown) => error instanceof RampartError && error.code === 'RAMPART_INVALID_OPTION', what);
    }
  });

  it('parse() throws a ConfigError listing every problem with its remedy, and no secret', () => {
    const definition = defineConfig();
    try {
      definition.parse({ env: { APP_ENV: 'production', SECRET_KEY: 'changeme', DEBUG: 'true', ADMIN_PASSWORD: 'admin-secret-value' }, envFiles: false });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'RAMPART_CONFIG_INVALID');
      assert.equal(error.issues.length, 4);
      assert.match(error.message, /SECRET_KEY must be at least 32 characters in production \(generate one with: rampart secret\)/);
      assert.match(error.message, /DEBUG must be off in production/);
      assert.ok(!error.message.includes('changeme') && !error.message.includes('admin-secret-value'));
    }
  });

  it('keeps a redacted summary of every loaded configuration for /status', () => {
    const config = defineConfig().parse({ env: { APP_ENV: 'test', SECRET_KEY: KEY, LOG_LEVEL: 'info' }, envFiles: false });
    const summary = describeConfig(config);
    assert.deepEqual(summary.find((entry) => entry.key === 'LOG_LEVEL'), { key: 'LOG_LEVEL', value: 'info', source: 'environment', secret: false });
    assert.deepEqual(summary.find((entry) => entry.key === 'SECRET_KEY'), { key: 'SECRET_KEY', value: '[redacted]', source: 'environment', secret: true });
    assert.deepEqual(summary.find((entry) => entry.key === 'LOG_FILE'), { key: 'LOG_FILE', value: undefined, source: 'unset', secret: false });
    assert.ok(!JSON.stringify(summary).includes(KEY));
    assert.deepEqual(describeConfig({}), []);
  });
});
