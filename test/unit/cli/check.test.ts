import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-check-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';
const PLACEHOLDER = 'dev-secret-key-change-in-production';
const ADMIN = 'bootstrap-admin-pass-visible';
const DB_PASSWORD = 'db-pass-never-shown';

function file(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const bad = file('bad.env', [`SECRET_KEY=${PLACEHOLDER}`, `ADMIN_PASSWORD=${ADMIN}`, 'COOKIE_SECURE=false', `DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app`, 'LOG_LEVEL=verbose']);
const good = file('good.env', ['NODE_ENV=production', 'ALLOWED_HOSTS=api.example.com', `SECRET_KEY=${KEY}`, 'METRICS_TOKEN=mT4nB8vC2xZ6lK0jH5gF9dS3aP7oI1uY', `DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app?sslmode=verify-full`]);

function assertNoSecrets(text: string): void {
  for (const secret of [PLACEHOLDER, ADMIN, DB_PASSWORD, KEY]) assert.ok(!text.includes(secret), `leaked ${secret}`);
}

describe('rampart check', () => {
  it('lists every problem with its remedy and exits 78, without a secret value', async () => {
    const result = await runCli(['check', '--env-file', bad, '--profile', 'production', '--ignore-env', '--settings']);
    assert.equal(result.code, 78);
    for (const line of [
      '✗ LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
      '✗ SECRET_KEY is a known placeholder or a guessable pattern',
      '→ generate one with: rampart secret',
      '✗ COOKIE_SECURE must be true in production',
      '✗ ADMIN_PASSWORD (a bootstrap password) is refused in production',
      '✗ DATABASE_URL points at a non-loopback host without TLS in production',
      '✗ Startup refused: 5 configuration problems (exit 78)',
      'DATABASE_URL                postgres://app:[redacted]@db.internal:5432/app',
    ]) {
      assert.ok(result.stdout.includes(line), `missing: ${line}\n${result.stdout}`);
    }
    assertNoSecrets(result.stdout + result.stderr);
  });

  it('prints JSON for pipelines', async () => {
    const result = await runCli(['check', '--env-file', bad, '--profile', 'staging', '--ignore-env', '--json']);
    assert.equal(result.code, 78);
    const report = JSON.parse(result.stdout) as { ok: boolean; profile: string; errors: { key?: string; message: string; remedy?: string }[]; settings: { key: string; value?: string; source: string }[] };
    assert.equal(report.ok, false);
    assert.equal(report.profile, 'staging');
    assert.deepEqual(report.errors.map((issue) => issue.key), ['LOG_LEVEL', 'SECRET_KEY', 'COOKIE_SECURE', 'DATABASE_URL'], 'ADMIN_PASSWORD is allowed in staging');
    assert.deepEqual(report.settings.find((setting) => setting.key === 'SECRET_KEY'), { key: 'SECRET_KEY', value: '[redacted]', source: bad, secret: true });
    assertNoSecrets(result.stdout);
  });

  it('exits 0 on a valid configuration', async () => {
    const result = await runCli(['check', '--env-file', good, '--profile', 'production', '--ignore-env']);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /✓ \d+ settings valid \(\d+ defaults, 4 from .*good\.env, 1 from explicit option\)\n\n/, 'no warning either');
    assert.match(result.stdout, /✓ Ready in \d+ ms/);
    assertNoSecrets(result.stdout);
  });

  it('reads the process environment and .env files from --cwd unless told otherwise', async () => {
    const project = mkdtempSync(join(dir, 'project-'));
    writeFileSync(join(project, '.env'), 'APP_ENV=production\n');
    writeFileSync(join(project, '.env.production'), `SECRET_KEY=${KEY}\nDEBUG=true\n`);
    const result = await runCli(['check', '--cwd', project, '--json'], { DEBUG: 'false' });
    const report = JSON.parse(result.stdout) as { ok: boolean; profile: string; warnings: { message: string }[] };
    assert.equal(result.code, 0, 'DEBUG=false from the environment beats .env.production');
    assert.equal(report.profile, 'production');
  });

  it('validates an app’s definition module and runs its checks with --checks (69 when a dependency is down)', async () => {
    const env = { APP_ENV: 'production', NODE_ENV: 'production', SECRET_KEY: KEY, DATABASE_URL: `postgres://app:${DB_PASSWORD}@127.0.0.1:1/app` };
    const config = await runCli(['check', '--config', 'examples/service/config.ts'], env);
    assert.equal(config.code, 0, config.stdout + config.stderr);
    assert.match(config.stdout, /Rampart startup · config · production/);
    const withChecks = await runCli(['check', '--config', 'examples/service/config.ts', '--checks'], env);
    assert.equal(withChecks.code, 69, withChecks.stdout);
    assert.match(withChecks.stdout, /✗ postgres:connection {2}connection refused \d+ ms/);
    assert.match(withChecks.stdout, /✗ Startup refused: 1 dependency unavailable \(exit 69\)/);
    assertNoSecrets(withChecks.stdout + withChecks.stderr);
  });

  it('refuses bad usage with 64, and a missing module with 66', async () => {
    const notDefinition = file('not-config.mjs', ['export const answer = 42;']);
    const [profile, module, missing, checks] = await Promise.all([
      runCli(['check', '--profile', 'prod']),
      runCli(['check', '--config', notDefinition]),
      runCli(['check', '--config', join(dir, 'nope.ts')]),
      runCli(['check', '--checks']),
    ]);
    assert.deepEqual([profile.code, module.code, missing.code, checks.code], [64, 64, 66, 64]);
    assert.match(profile.stderr, /--profile must be one of development, test, staging, production/);
    assert.match(module.stderr, /exports no defineConfig\(\) definition/);
    assert.match(checks.stderr, /--checks needs --config MODULE exporting checks\(config\)/);
  });
});
