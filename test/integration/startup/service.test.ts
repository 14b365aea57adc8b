import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { silentServer, type SilentServer } from '../checks/silent-server.js';

const MAIN = fileURLToPath(new URL('../../../examples/service/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const KEY = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';
const dirs: string[] = [];

interface Run {
  code: number | null;
  output: string;
}

/**
 * Starts the reference service exactly as `npm start` does, in a clean
 * directory with only the given environment. With `untilReady`, stops it
 * (SIGTERM) once it listens.
 */
function startService(env: Record<string, string>, options: { untilReady?: boolean } = {}): Promise<Run & { cwd: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'rampart-service-'));
  dirs.push(cwd);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', TSX, MAIN], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (options.untilReady === true && /listening on/.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, cwd });
    });
  });
}

describe('the reference service at startup', () => {
  let silent: SilentServer;
  before(async () => {
    silent = await silentServer();
  });
  after(async () => {
    await silent.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad production environment with exit 78, every problem listed, no secret printed', async () => {
    const secrets = { SECRET_KEY: 'dev-secret-key-change-in-production', ADMIN_PASSWORD: 'first-admin-Pa55word', METRICS_TOKEN: 'metrics-token-too-short' };
    const run = await startService({ APP_ENV: 'production', NODE_ENV: 'production', COOKIE_SECURE: 'false', ...secrets });
    assert.equal(run.code, 78, run.output);
    for (const line of [
      'Rampart startup · reference service · production (profile from APP_ENV in environment)',
      '✗ SECRET_KEY is a known placeholder or a guessable pattern (from environment)',
      '→ generate one with: rampart secret',
      '✗ COOKIE_SECURE must be true in production (from environment)',
      '✗ ADMIN_PASSWORD (a bootstrap password) is refused in production (from environment)',
      '✗ METRICS_TOKEN must be at least 32 characters in production (from environment)',
      '✗ DATABASE_URL is required when APP_ENV is production or staging',
      '→ set DATABASE_URL to postgres://… or sqlite:/var/lib/<service>/data.sqlite',
      '✗ Startup refused: 5 configuration problems (exit 78)',
    ]) {
      assert.ok(run.output.includes(line), `missing: ${line}\n${run.output}`);
    }
    for (const [name, value] of Object.entries(secrets)) assert.ok(!run.output.includes(value), `${name}'s value was printed`);
    assert.ok(!run.output.includes('listening'), 'it never listened');
  });

  it('refuses an unreachable database with exit 69, without its password or address', async () => {
    const run = await startService({ APP_ENV: 'production', NODE_ENV: 'production', SECRET_KEY: KEY, DATABASE_URL: `postgres://app:db-Pa55word-x@127.0.0.1:${silent.port}/app` });
    assert.equal(run.code, 69, run.output);
    assert.match(run.output, /✓ \d+ settings valid/);
    assert.match(run.output, /✗ postgres:connection {2}timed out after 2000 ms \d+ ms/);
    assert.match(run.output, /✗ Startup refused: 1 dependency unavailable \(exit 69\)/);
    assert.ok(!run.output.includes('db-Pa55word-x'));
    assert.ok(!run.output.includes(String(silent.port)));
  });

  it('starts in development with no configuration at all: generated key, SQLite under ./data', async () => {
    const run = await startService({}, { untilReady: true });
    assert.match(run.output, /Rampart startup · reference service · development \(profile from default\)/);
    assert.match(run.output, /✓ sqlite:connection {2}readable \d+ ms/);
    assert.match(run.output, /✓ Ready in \d+ ms/);
    assert.match(run.output, /listening on/);
    assert.ok(existsSync(join(run.cwd, 'data', 'development.sqlite')), 'the development database was created under ./data');
  });

  it('starts in production from Docker-style secret files', async () => {
    const secrets = mkdtempSync(join(tmpdir(), 'rampart-secrets-'));
    dirs.push(secrets);
    writeFileSync(join(secrets, 'secret_key'), `${KEY}\n`);
    const env = { APP_ENV: 'production', NODE_ENV: 'production', SECRET_KEY_FILE: join(secrets, 'secret_key'), DATABASE_URL: `sqlite:${join(secrets, 'data.sqlite')}`, METRICS_ENABLED: 'false' };
    // Production never migrates at start: first without the schema (refused with the remedy), then after `npm run migrate`.
    const unmigrated = await startService(env);
    assert.equal(unmigrated.code, 69);
    assert.match(unmigrated.output, /required tables missing[\s\S]*npm run migrate/);
    execFileSync(process.execPath, ['--conditions=source', '--import', TSX, fileURLToPath(new URL('../../../examples/service/migrate.ts', import.meta.url))], { env: { ...process.env, ...env } });
    const run = await startService(env, { untilReady: true });
    assert.match(run.output, /✓ \d+ settings valid \(\d+ defaults, \d+ from environment, 1 from files \(_FILE\)\)/);
    assert.match(run.output, /✓ Ready in \d+ ms/);
    assert.match(run.output, /listening on/);
    assert.ok(!run.output.includes(KEY));
  });
});
