import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConfig, secretWeaknesses } from 'rampart';
import { runCli } from './run-cli.js';

describe('rampart secret', () => {
  it('prints 32 random bytes as base64url by default, fit for a production SECRET_KEY', async () => {
    const [first, second] = await Promise.all([runCli(['secret']), runCli(['secret'])]);
    for (const result of [first, second]) {
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^[A-Za-z0-9_][A-Za-z0-9_-]{42}\n$/);
      assert.equal(result.stderr, '');
    }
    assert.notEqual(first.stdout, second.stdout);
    const key = first.stdout.trim();
    assert.deepEqual(secretWeaknesses(key), []);
    const loaded = defineConfig().load({ env: { APP_ENV: 'production', SECRET_KEY: key }, envFiles: false });
    assert.deepEqual(loaded.errors, [], 'the production rules accept it');
  });

  it('honours --bytes and --format, and --name for an env file line', async () => {
    const [hex, base64, named] = await Promise.all([runCli(['secret', '--bytes', '16', '--format', 'hex']), runCli(['secret', '--bytes', '48', '--format', 'base64']), runCli(['secret', '--name', 'SECRET_KEY'])]);
    assert.match(hex.stdout, /^[0-9a-f]{32}\n$/);
    assert.match(base64.stdout, /^[A-Za-z0-9+/]{64}\n$/);
    assert.match(named.stdout, /^SECRET_KEY=[A-Za-z0-9_][A-Za-z0-9_-]{42}\n$/);
  });

  it('notes when the result is too short for SECRET_KEY, and refuses bad arguments with usage (64)', async () => {
    const [short, few, format, unknown] = await Promise.all([
      runCli(['secret', '--bytes', '16']),
      runCli(['secret', '--bytes', '8']),
      runCli(['secret', '--format', 'base32']),
      runCli(['secret', '--length', '3']),
    ]);
    assert.equal(short.code, 0);
    assert.match(short.stderr, /22 characters is shorter than the 32 SECRET_KEY needs in production/);
    for (const [result, message] of [
      [few, '--bytes must be a whole number from 16 to 1024'],
      [format, '--format must be one of base64url, hex, base64'],
      [unknown, "Unknown option '--length'"],
    ] as const) {
      assert.equal(result.code, 64);
      assert.equal(result.stdout, '');
      assert.ok(result.stderr.includes(message), result.stderr);
      assert.ok(result.stderr.includes('Usage: rampart secret'));
    }
  });
});
