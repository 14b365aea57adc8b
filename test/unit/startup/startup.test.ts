import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import {
  ConfigError,
  EXIT_CONFIG,
  EXIT_UNAVAILABLE,
  StartupError,
  defineConfig,
  env,
  formatStartupReport,
  runStartup,
  startup,
  startupReportJson,
  type Check,
} from 'rampart';

const KEY = 'Vq8rT2mXk9LpZ4wN7bC1dF6gH3jK5sA0eR8tY2uI4oP';
const PRODUCTION = { APP_ENV: 'production', NODE_ENV: 'production', ALLOWED_HOSTS: 'notes.example.com', SECRET_KEY: KEY, METRICS_TOKEN: 'mT4nB8vC2xZ6lK0jH5gF9dS3aP7oI1uY' };
const definition = defineConfig({ OPENAI_API_KEY: env.secret().optional() });

function check(name: string, result: Awaited<ReturnType<Check['run']>>, extra: Partial<Check> = {}): Check & { calls: number } {
  const counted = {
    name,
    calls: 0,
    ...extra,
    async run() {
      counted.calls++;
      return result;
    },
  };
  return counted;
}

/** A dependency that never answers, and ignores the abort signal too. */
function hanging(name: string, timeoutMs: number): Check {
  return { name, timeoutMs, run: () => new Promise(() => undefined) };
}

function capture(): PassThrough & { text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return Object.assign(stream, { text: () => text });
}

describe('runStartup', () => {
  it('validates, then runs the checks concurrently, and says the service may start', async () => {
    const database = check('postgres:connection', { status: 'pass', output: 'connected' });
    const cache = check('redis:connection', { status: 'pass', output: 'PONG' });
    const started = performance.now();
    const report = await runStartup(definition, { env: PRODUCTION, envFiles: false, checks: () => [database, cache, hanging('slow:optional', 200)] });
    assert.ok(performance.now() - started < 600, 'checks run side by side');
    assert.equal(report.ok, false, 'a hung critical dependency refuses startup');
    assert.equal(report.exitCode, EXIT_UNAVAILABLE);
    assert.deepEqual(
      report.checks.map((outcome) => [outcome.name, outcome.status, outcome.output]),
      [
        ['postgres:connection', 'pass', 'connected'],
        ['redis:connection', 'pass', 'PONG'],
        ['slow:optional', 'fail', 'timed out after 200 ms'],
      ],
    );
  });

  it('exits 0 when non-critical checks fail: they only warn', async () => {
    const report = await runStartup(definition, { env: PRODUCTION, envFiles: false, checks: () => [check('search:ping', { status: 'fail', output: 'connection refused' }, { critical: false })] });
    assert.deepEqual([report.ok, report.exitCode, report.checks[0]?.status], [true, 0, 'warn']);
    assert.ok(report.config !== undefined);
  });

  it('gives 78 for configuration problems and does not run the checks', async () => {
    const database = check('postgres:connection', { status: 'pass' });
    const report = await runStartup(definition, { env: { ...PRODUCTION, SECRET_KEY: 'changeme' }, envFiles: false, checks: () => [database] });
    assert.deepEqual([report.ok, report.exitCode, report.checksSkipped, database.calls], [false, EXIT_CONFIG, true, 0]);
    assert.equal(report.config, undefined);
  });

  it('hands the checks the loaded configuration', async () => {
    let seen: unknown;
    await runStartup(definition, {
      env: { ...PRODUCTION, OPENAI_API_KEY: 'sk-abc' },
      envFiles: false,
      checks: (config) => {
        seen = config.OPENAI_API_KEY?.reveal();
        return [];
      },
    });
    assert.equal(seen, 'sk-abc');
  });
});

describe('the startup report', () => {
  it('shows each step with ✓/✗, every problem with its remedy, and the exit code — never a secret', async () => {
    const report = await runStartup(definition, {
      env: { ...PRODUCTION, SECRET_KEY: 'dev-secret-key-change-in-production', ADMIN_PASSWORD: 'bootstrap-pass-42', LOG_LEVEL: 'chatty', OPENAI_API_KEY: 'sk-live-zzz' },
      envFiles: false,
      checks: () => [],
    });
    const text = formatStartupReport(report, { name: 'notes' });
    assert.equal(
      text,
      [
        'Rampart startup · notes · production (profile from APP_ENV in environment)',
        '',
        '  Configuration',
        '    ✗ LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "chatty") (from environment)',
        '      → fix LOG_LEVEL in environment',
        '    ✗ SECRET_KEY is a known placeholder or a guessable pattern (from environment)',
        '      → generate one with: rampart secret',
        '    ✗ ADMIN_PASSWORD (a bootstrap password) is refused in production (from environment)',
        '      → create the first admin with a one-off command, then remove ADMIN_PASSWORD',
        '',
        '  Dependencies',
        '    - not checked: the configuration is invalid',
        '',
        '  ✗ Startup refused: 3 configuration problems (exit 78)',
        '',
      ].join('\n'),
    );
    const json = JSON.stringify(startupReportJson(report));
    for (const secret of ['dev-secret-key-change-in-production', 'bootstrap-pass-42', 'sk-live-zzz']) {
      assert.ok(!text.includes(secret) && !json.includes(secret), secret);
    }
  });

  it('lists dependency failures with their remedies, and warnings with !', async () => {
    const report = await runStartup(definition, {
      env: { ...PRODUCTION, LOG_LEVEL: 'debug' },
      envFiles: false,
      checks: () => [check('postgres:connection', { status: 'fail', output: 'connection refused', remedy: 'check DATABASE_URL and that PostgreSQL is running and reachable' }), check('redis:connection', { status: 'pass', output: 'PONG' })],
    });
    const lines = formatStartupReport(report).split('\n');
    assert.ok(lines.includes('    ! LOG_LEVEL=debug in production logs request details and costs throughput (from environment)'), lines.join('\n'));
    assert.ok(lines.some((line) => /^ {4}✗ postgres:connection {2}connection refused \d+ ms$/.test(line)), lines.join('\n'));
    assert.ok(lines.includes('      → check DATABASE_URL and that PostgreSQL is running and reachable'));
    assert.ok(lines.some((line) => /^ {4}✓ redis:connection {5}PONG \d+ ms$/.test(line)), lines.join('\n'));
    assert.ok(lines.includes('  ✗ Startup refused: 1 dependency unavailable (exit 69)'));
  });

  it('counts where valid settings came from, and colours only when asked', async () => {
    const report = await runStartup(definition, { env: PRODUCTION, envFiles: false });
    const plain = formatStartupReport(report);
    assert.match(plain, /✓ \d+ settings valid \(\d+ defaults, 4 from environment\)/);
    assert.match(plain, /✓ Ready in \d+ ms/);
    assert.ok(!plain.includes('\u001b['));
    assert.ok(formatStartupReport(report, { color: true }).includes('\u001b[32m✓\u001b[39m'));
  });
});

describe('startup()', () => {
  it('returns the frozen configuration and prints the report', async () => {
    const output = capture();
    const config = await startup(definition, { env: PRODUCTION, envFiles: false, output, name: 'notes' });
    assert.equal(config.APP_ENV, 'production');
    assert.ok(Object.isFrozen(config));
    assert.match(output.text(), /^Rampart startup · notes · production/);
  });

  it('stays quiet on success in the test profile, and can print JSON', async () => {
    const quiet = capture();
    await startup(definition, { env: { APP_ENV: 'test' }, envFiles: false, output: quiet });
    assert.equal(quiet.text(), '');
    const json = capture();
    await startup(definition, { env: PRODUCTION, envFiles: false, output: json, format: 'json' });
    const parsed = JSON.parse(json.text()) as { ok: boolean; exitCode: number; settings: { key: string; value?: string }[] };
    assert.deepEqual([parsed.ok, parsed.exitCode], [true, 0]);
    assert.equal(parsed.settings.find((setting) => setting.key === 'SECRET_KEY')?.value, '[redacted]');
    assert.ok(!json.text().includes(KEY));
  });

  it('throws instead of exiting when asked: ConfigError or StartupError', async () => {
    const output = capture();
    await assert.rejects(startup(definition, { env: { ...PRODUCTION, DEBUG: 'true' }, envFiles: false, output, onFailure: 'throw' }), (error: unknown) => error instanceof ConfigError && error.code === 'RAMPART_CONFIG_INVALID');
    assert.match(output.text(), /✗ DEBUG must be off in production/);
    await assert.rejects(
      startup(definition, { env: PRODUCTION, envFiles: false, output, onFailure: 'throw', checks: () => [check('postgres:connection', { status: 'fail', output: 'connection refused' })] }),
      (error: unknown) => error instanceof StartupError && error.code === 'RAMPART_DEPENDENCY_UNAVAILABLE' && error.message === 'Critical dependency checks failed: postgres:connection (connection refused)',
    );
  });
});
