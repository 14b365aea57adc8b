import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, waitFor } from '../integration/deploy/stack.js';
import { recordFigures } from './figures.js';

/**
 * Drives the whole reference service, started for production as an operator
 * would (a child process running examples/service/main.ts, configured by its
 * environment, migrated first), with known secrets: the master secret and a
 * previous one, the metrics/admin token, a user's password (registered,
 * signed in with over JSON and the HTML form, mistyped, too long), the
 * bearer token and session cookie the service issues, a forged bearer token,
 * forged and third-party cookies, Basic credentials and an API-key header.
 * None of them may appear anywhere an operator or a client can read: the
 * process's stdout and stderr, its log file, every response (error bodies,
 * health, /status, /metrics) but the one that hands a credential out, the
 * output of `rampart check`, a failed start's report, two `rampart audit`
 * reports (JSON, HTML, console) run with those credentials, and the
 * database files. Each value is searched in every spelling a serializer
 * could give it: as is, JSON-escaped, percent- and form-encoded, base64 and
 * hex.
 */
const root = new URL('../../', import.meta.url).pathname;
const TSX = ['--conditions=source', '--import', 'tsx'];
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** A process started by this test, with everything it printed. */
class Child {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  constructor(args: readonly string[], env: Record<string, string>) {
    this.#child = spawn(process.execPath, [...TSX, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  stop(): Promise<number | null> {
    if (this.running) this.#child.kill('SIGTERM');
    return this.exited;
  }
}

/** This process's environment without the settings a leak run must choose itself (a CI's REDIS_URL, DATABASE_URL, NODE_OPTIONS…). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(APP_ENV|NODE_ENV|NODE_OPTIONS|DATABASE_URL|REDIS_URL|SECRET_KEY.*|METRICS_.*|LOG_.*|RATE_LIMIT_.*|TRUST_PROXY|ADMIN_.*|PORT|HOST)$/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

/** Every spelling a serializer could give `value`: as is, JSON-escaped, percent- and form-encoded, base64(url) and hex. */
export function spellings(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const all = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')];
  return [...new Set(all)];
}

interface Haystack {
  readonly name: string;
  readonly text: string;
}

interface Exchange {
  readonly label: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly setCookies: string[];
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

describe('leaks: known secrets never reach logs, metrics, health, errors or audit reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-leaks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('drives the production reference service with known credentials and finds none of them anywhere', { timeout: 180_000 }, async () => {
    // Distinctive values, so a hit can only be a leak.
    const secrets = new Map<string, string>([
      ['SECRET_KEY', `sk-${randomBytes(32).toString('base64url')}`],
      ['SECRET_KEY_PREVIOUS', `skp-${randomBytes(24).toString('base64url')}`],
      ['METRICS_TOKEN', `mt-${hex(20)}`],
      ['password', `Pässword ${hex(8)} +&/=%`],
      ['mistyped password', `wrong-pw-${hex(10)}`],
      ['too-long password', `too-long-${hex(8)}${'y'.repeat(130)}`],
      ['form password', `form-pw ${hex(8)}&x=1`],
      ['forged bearer token', `rmp_forged${hex(16)}`],
      ['forged session cookie', `forged-session-${hex(16)}`],
      ['third-party cookie', `tracker-${hex(16)}`],
      ['Basic credentials', `basic-pw-${hex(12)}`],
      ['API key header', `apikey-${hex(16)}`],
      ['short METRICS_TOKEN of a failed start', `short${hex(5)}`],
    ]);
    const secret = (name: string): string => secrets.get(name) as string;
    const haystacks: Haystack[] = [];
    const exchanges: Exchange[] = [];
    const port = await freePort();
    const logFile = join(dir, 'service.log');
    const database = join(dir, 'data.sqlite');
    const env: Record<string, string> = {
      ...baseEnv(),
      APP_ENV: 'production',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      SECRET_KEY: secret('SECRET_KEY'),
      SECRET_KEY_PREVIOUS: secret('SECRET_KEY_PREVIOUS'),
      METRICS_TOKEN: secret('METRICS_TOKEN'),
      DATABASE_URL: `sqlite:${database}`,
      LOG_FILE: logFile,
      // The most verbose level there is: whatever Rampart or the service would ever log, it logs here.
      LOG_LEVEL: 'trace',
      RATE_LIMIT_AUTH: '100/1m',
    };

    // A start that fails validation prints a report naming the bad setting, never its value.
    const failed = new Child(['examples/service/main.ts'], { ...env, METRICS_TOKEN: secret('short METRICS_TOKEN of a failed start') });
    assert.equal(await failed.exited, 78, `a bad METRICS_TOKEN stops the start with EX_CONFIG: ${failed.stderr}`);
    assert.match(failed.stdout + failed.stderr, /METRICS_TOKEN/, 'the report names the setting');
    haystacks.push({ name: 'failed start output', text: failed.stdout + failed.stderr });

    for (const args of [['src/cli/main.ts', 'check', '--config', 'examples/service/config.ts', '--settings'], ['src/cli/main.ts', 'check', '--config', 'examples/service/config.ts', '--json']]) {
      const check = new Child(args, env);
      assert.equal(await check.exited, 0, check.stdout + check.stderr);
      haystacks.push({ name: `rampart ${args.slice(1).join(' ')}`, text: check.stdout + check.stderr });
    }
    const migrate = new Child(['examples/service/migrate.ts'], env);
    assert.equal(await migrate.exited, 0, migrate.stderr);
    haystacks.push({ name: 'migrate output', text: migrate.stdout + migrate.stderr });

    const service = new Child(['examples/service/main.ts'], env);
    after(() => service.stop());
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the service to be ready', async () => {
      if (!service.running) throw new Error(`the service exited: ${service.stderr}`);
      return (await fetch(`${base}/ready`).catch(() => undefined))?.status === 200;
    }, 30_000);

    const request = async (label: string, method: string, path: string, options: { headers?: Record<string, string>; json?: unknown; form?: Record<string, string>; body?: string } = {}): Promise<Exchange> => {
      const headers: Record<string, string> = { ...options.headers };
      let body = options.body;
      if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      } else if (options.form !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(options.form).toString();
      }
      const response = await fetch(`${base}${path}`, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      const exchange: Exchange = { label, path, status: response.status, headers: Object.fromEntries(response.headers), setCookies: response.headers.getSetCookie(), body: text, json: <T>() => JSON.parse(text) as T };
      exchanges.push(exchange);
      return exchange;
    };
    const expect = (exchange: Exchange, status: number): Exchange => {
      assert.equal(exchange.status, status, `${exchange.label}: ${exchange.body.slice(0, 300)}`);
      return exchange;
    };
    const sessionOf = (exchange: Exchange): string => {
      const cookie = exchange.setCookies.find((line) => line.startsWith('__Host-session='));
      assert.ok(cookie, `${exchange.label} sets the session cookie`);
      return cookie.split(';')[0] as string;
    };
    const browser = { 'sec-fetch-site': 'same-origin' };

    // Accounts and sign-in, over JSON and the HTML form, right and wrong.
    const email = `leaks-${hex(4)}@example.test`;
    const password = secret('password');
    const registered = expect(await request('register', 'POST', '/api/auth/register', { json: { email, password } }), 201);
    const session = sessionOf(registered);
    expect(await request('register again (conflict)', 'POST', '/api/auth/register', { json: { email, password } }), 409);
    expect(await request('register with a too-long password', 'POST', '/api/auth/register', { json: { email: `x${email}`, password: secret('too-long password') } }), 422);
    expect(await request('register with a malformed email', 'POST', '/api/auth/register', { json: { email: password, password } }), 422);
    const signedIn = expect(await request('login', 'POST', '/api/auth/login', { json: { email, password } }), 200);
    const session2 = sessionOf(signedIn);
    expect(await request('login with a mistyped password', 'POST', '/api/auth/login', { json: { email, password: secret('mistyped password') } }), 401);
    expect(await request('login for an unknown account', 'POST', '/api/auth/login', { json: { email: `nobody-${email}`, password } }), 401);
    const formEmail = `form-${email}`;
    expect(await request('HTML register', 'POST', '/register', { form: { email: formEmail, password: secret('form password') }, headers: browser }), 303);
    expect(await request('HTML login', 'POST', '/login', { form: { email: formEmail, password: secret('form password') }, headers: browser }), 303);
    const rerendered = expect(await request('HTML login, wrong password', 'POST', '/login', { form: { email: formEmail, password: secret('mistyped password') }, headers: browser }), 401);
    assert.match(rerendered.body, /<form/, 'the form is shown again');
    expect(await request('HTML register, too-long password', 'POST', '/register', { form: { email: `y${formEmail}`, password: secret('too-long password') }, headers: browser }), 422);

    // A bearer token for a programmatic client, and the API with it.
    const issued = expect(await request('issue a bearer token', 'POST', '/api/auth/tokens', { json: { email, password, name: 'leak test' } }), 201);
    const bearer = issued.json<{ token: string }>().token;
    const bearerHeaders = { authorization: `Bearer ${bearer}` };
    const note = expect(await request('create a note', 'POST', '/api/notes', { json: { title: 'leak test', body: 'text' }, headers: bearerHeaders }), 201);
    const noteId = String(note.json()['id']);
    expect(await request('list notes', 'GET', '/api/notes?limit=5', { headers: bearerHeaders }), 200);
    expect(await request('get a note', 'GET', `/api/notes/${noteId}`, { headers: bearerHeaders }), 200);
    expect(await request('change a note', 'PATCH', `/api/notes/${noteId}`, { json: { body: 'changed' }, headers: bearerHeaders }), 200);
    expect(await request('search', 'GET', '/api/search?q=leak', { headers: bearerHeaders }), 200);
    expect(await request('invalid note', 'POST', '/api/notes', { json: { title: '' }, headers: bearerHeaders }), 422);
    expect(await request('malformed JSON', 'POST', '/api/notes', { body: `{"title":"${password}`, headers: { ...bearerHeaders, 'content-type': 'application/json' } }), 400);
    expect(await request('a missing note', 'GET', '/api/notes/00000000-0000-4000-8000-000000000000', { headers: bearerHeaders }), 404);
    expect(await request('admin API as a user', 'GET', '/api/admin/users', { headers: bearerHeaders }), 403);
    expect(await request('a forged bearer token', 'GET', '/api/notes', { headers: { authorization: `Bearer ${secret('forged bearer token')}` } }), 401);
    expect(await request('Basic credentials', 'GET', '/api/notes', { headers: { authorization: `Basic ${Buffer.from(`${email}:${secret('Basic credentials')}`).toString('base64')}` } }), 401);
    expect(await request('an API-key header', 'GET', '/api/notes', { headers: { 'x-api-key': secret('API key header') } }), 401);

    // The session cookie, beside cookies the service does not own, and forged ones.
    const cookies = `${session2}; tracking=${secret('third-party cookie')}`;
    expect(await request('me with the session cookie', 'GET', '/api/auth/me', { headers: { cookie: cookies } }), 200);
    expect(await request('notes page with the session cookie', 'GET', '/notes', { headers: { cookie: cookies, ...browser } }), 200);
    const csrf = expect(await request('CSRF token', 'GET', '/api/auth/csrf', { headers: { cookie: cookies } }), 200);
    const token = csrf.json<{ token: string }>().token;
    const anchor = csrf.setCookies.map((line) => line.split(';')[0]).join('; ');
    const withAnchor = anchor === '' ? cookies : `${cookies}; ${anchor}`;
    expect(await request('create a note with the cookie', 'POST', '/api/notes', { json: { title: 'cookie', body: '' }, headers: { cookie: withAnchor, ...browser, 'x-csrf-token': token } }), 201);
    expect(await request('a cookie POST without the CSRF token', 'POST', '/api/notes', { json: { title: 'x' }, headers: { cookie: withAnchor, 'sec-fetch-site': 'cross-site' } }), 403);
    expect(await request('a forged session cookie', 'GET', '/api/auth/me', { headers: { cookie: `__Host-session=${secret('forged session cookie')}; tracking=${secret('third-party cookie')}` } }), 401);
    expect(await request('an unknown path with cookies', 'GET', '/nothing/here', { headers: { cookie: cookies } }), 404);
    const logoutToken = expect(await request('CSRF token for logout', 'GET', '/api/auth/csrf', { headers: { cookie: session } }), 200);
    const logoutCookies = [session, ...logoutToken.setCookies.map((line) => line.split(';')[0])].join('; ');
    expect(await request('logout', 'POST', '/api/auth/logout', { headers: { cookie: logoutCookies, ...browser, 'x-csrf-token': logoutToken.json<{ token: string }>().token } }), 204);

    // What operators read: health, readiness, status and metrics, with and without the admin token.
    const admin = { authorization: `Bearer ${secret('METRICS_TOKEN')}` };
    for (const path of ['/health', '/ready', '/health/live']) {
      expect(await request(`${path} anonymous`, 'GET', path), 200);
      expect(await request(`${path} as admin`, 'GET', path, { headers: admin }), 200);
    }
    expect(await request('/metrics anonymous', 'GET', '/metrics'), 401);
    expect(await request('/metrics with a forged token', 'GET', '/metrics', { headers: { authorization: `Bearer ${secret('forged bearer token')}` } }), 401);
    const status = expect(await request('/status as admin', 'GET', '/status', { headers: admin }), 200);
    assert.match(status.body, /"SECRET_KEY":"\[redacted\]"/, '/status lists the configuration, secrets redacted');
    const health = expect(await request('/health details as admin', 'GET', '/health', { headers: admin }), 200);
    assert.match(health.body, /"checks"/);
    const metrics = expect(await request('/metrics as admin', 'GET', '/metrics', { headers: admin }), 200);
    assert.match(metrics.body, /http_server_request_duration_seconds_count\{/);

    // Two audits with the credentials an operator would give them: a signed-in session, and the admin token.
    const audits: { name: string; args: string[] }[] = [
      { name: 'session', args: ['--cookie', cookies, '--page', '/notes', '--page', '/api/auth/me', '--json-path', '/api/notes', '--csrf-path', '/api/notes'] },
      { name: 'admin token', args: ['--header', `Authorization: Bearer ${secret('METRICS_TOKEN')}`, '--header', `X-Api-Key: ${secret('API key header')}`] },
    ];
    for (const audit of audits) {
      const jsonFile = join(dir, `audit-${audit.name.replace(' ', '-')}.json`);
      const htmlFile = join(dir, `audit-${audit.name.replace(' ', '-')}.html`);
      const run = new Child(['src/cli/main.ts', 'audit', `${base}/`, '--json', '--json-file', jsonFile, '--html', htmlFile, '--no-color', '--max-requests', '300', ...audit.args], env);
      const code = await run.exited;
      assert.ok(code !== null && code <= 2, `the audit ran (exit ${code}): ${run.stderr.slice(-1000)}`);
      const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as { observatory?: { grade?: unknown }; findings?: unknown[]; requestsSent?: number };
      assert.ok(report.observatory?.grade !== undefined && (report.findings ?? []).length > 10 && (report.requestsSent ?? 0) > 10, 'a full report');
      haystacks.push({ name: `audit (${audit.name}) JSON report`, text: readFileSync(jsonFile, 'utf8') });
      haystacks.push({ name: `audit (${audit.name}) HTML report`, text: readFileSync(htmlFile, 'utf8') });
      haystacks.push({ name: `audit (${audit.name}) console`, text: run.stdout + run.stderr });
    }

    assert.equal(await service.stop(), 0, `a clean shutdown: ${service.stderr.slice(-1000)}`);
    const log = readFileSync(logFile, 'utf8');
    haystacks.push({ name: 'service stdout', text: service.stdout }, { name: 'service stderr', text: service.stderr }, { name: 'log file', text: log });
    for (const file of [database, `${database}-wal`, `${database}-shm`]) if (existsSync(file)) haystacks.push({ name: `database file ${file.slice(dir.length + 1)}`, text: readFileSync(file).toString('latin1') });

    // The log really holds the run: an access line per request, the security events, the failed sign-ins.
    const lines = log.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = new Set(lines.filter((line) => line['msg'] === 'request completed').map((line) => line['reqId']));
    // Probes and scrapes are left out of the access log by design; every other request has its line.
    const unlogged = exchanges.filter((exchange) => !/^\/(health|ready|metrics|status)\b/.test(exchange.path) && !access.has(exchange.headers['x-request-id']));
    assert.deepEqual(unlogged.map((exchange) => exchange.label), [], 'every request has its access line');
    assert.ok(lines.filter((line) => line['log'] === 'security').length >= 5, 'the security log recorded the sign-ins, failures and CSRF refusal');

    // Credentials the service hands out appear where it hands them out, and nowhere else.
    const sessionToken = (cookie: string): string => decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1).replace(/\.[^.]*$/, ''));
    secrets.set('issued bearer token', bearer);
    secrets.set('issued session token', sessionToken(session));
    secrets.set('issued session token (second)', sessionToken(session2));
    assert.ok(issued.body.includes(bearer), 'the scan finds a token where it is meant to be');
    const handedOut = new Map([
      [issued, ['issued bearer token']],
      [registered, ['issued session token']],
      [signedIn, ['issued session token (second)']],
    ]);
    for (const exchange of exchanges) {
      const allowed = handedOut.get(exchange) ?? [];
      const headers = Object.entries(exchange.headers)
        .filter(([name]) => name !== 'set-cookie' || allowed.length === 0)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n');
      const text = `${headers}\n\n${exchange.body}`;
      if (allowed.length === 0) haystacks.push({ name: `response to ${exchange.label}`, text });
      else haystacks.push({ name: `response to ${exchange.label} (without the credential it hands out)`, text: text.replaceAll(allowed.map((name) => secrets.get(name) as string)[0] as string, '<handed out>') });
    }

    const found: string[] = [];
    for (const [name, value] of secrets) {
      for (const spelling of spellings(value)) {
        for (const haystack of haystacks) if (haystack.text.includes(spelling)) found.push(`${name} (as ${JSON.stringify(spelling.slice(0, 24))}…) in ${haystack.name}`);
      }
    }
    assert.deepEqual(found, [], 'no secret appears anywhere');

    const bytes = haystacks.reduce((sum, haystack) => sum + Buffer.byteLength(haystack.text), 0);
    recordFigures('leaks', {
      title: 'Known secrets never leak from the reference service',
      group: 'leaks',
      command: 'npm test -- test/reliability/leaks.test.ts',
      claim:
        'The reference service, started for production with known SECRET_KEY, SECRET_KEY_PREVIOUS and METRICS_TOKEN at LOG_LEVEL=trace, is driven through registration, JSON and HTML sign-in (right, mistyped and too-long passwords), bearer-token API calls, forged tokens and cookies, Basic credentials, an API-key header, health, /status and /metrics; `rampart check`, a failed start and two `rampart audit` runs given the credentials add their output. None of the values, in any of seven spellings, appears in stdout, stderr, the log file, any response except the one handing a credential out, the audit reports (JSON, HTML, console) or the database files.',
      figures: {
        'secret values checked': secrets.size,
        'spellings per value': 'as is, JSON-escaped, percent-encoded, form-encoded, base64, base64url, hex',
        'HTTP requests made by the test': exchanges.length,
        'places searched': haystacks.length,
        'bytes searched': bytes,
        'log lines written (LOG_LEVEL=trace)': lines.length,
        'audit runs (JSON + HTML + console each)': audits.length,
        'values found': found.length,
      },
    });
  });
});
