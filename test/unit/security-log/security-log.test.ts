import assert from 'node:assert/strict';
import { channel } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { CHANNEL_NAMES, createRampart, currentRequest, setUser } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

const securityLines = (logs: LogCapture): Record<string, unknown>[] => logs.lines.filter((line) => line['log'] === 'security');

describe('security audit log', () => {
  it('records auth events with request id, client IP, user id and outcome, never a password', async () => {
    const logs = new LogCapture();
    const app = Fastify();
    await app.register(rampart, { profile: 'test', log: { destination: logs, level: 'warn' } });
    app.post('/login', async (request) => {
      const ok = (request.body as { password?: string }).password === 'right';
      if (!ok) {
        app.rampart.security.loginFailed({ account: 'ada@example.com', reason: 'bad password', password: 'wrong' });
        return { ok };
      }
      setUser('u-1');
      app.rampart.security.loginSucceeded({ userId: 'u-1', method: 'password' });
      app.rampart.security.roleChanged({ targetUserId: 'u-2', from: 'member', to: 'admin', by: 'u-1' });
      app.rampart.security.adminAction('user.delete', { targetUserId: 'u-3' });
      app.rampart.security.sessionRevoked({ userId: 'u-2', reason: 'role changed' });
      app.rampart.security.logout();
      return { ok };
    });
    await app.inject({ method: 'POST', url: '/login', payload: { password: 'wrong' }, headers: { 'x-request-id': 'sec-1' } });
    await app.inject({ method: 'POST', url: '/login', payload: { password: 'right' }, headers: { 'x-request-id': 'sec-2' } });
    await app.close();

    const lines = securityLines(logs);
    assert.deepEqual(
      lines.map((line) => [line['event'], line['outcome']]),
      [
        ['auth.login', 'failure'],
        ['auth.login', 'success'],
        ['authz.role.change', 'success'],
        ['admin.user.delete', 'success'],
        ['auth.session.revoke', 'success'],
        ['auth.logout', 'success'],
      ],
      'written at info/warn even though the app log level is warn',
    );
    const failure = lines[0] ?? {};
    assert.equal(failure['reqId'], 'sec-1');
    assert.equal(failure['ip'], '127.0.0.1');
    assert.equal(failure['account'], 'ada@example.com');
    assert.equal(failure['password'], '[redacted]');
    assert.equal(failure['level'], 'warn');
    assert.equal(lines[5]?.['userId'], 'u-1', 'the request user is added when the event names none');
    assert.ok(!logs.raw.includes('"wrong"'));
  });

  it('logs rate-limit blocks and CSRF rejections from their channels, with the request', () => {
    const logs = new LogCapture();
    const engine = createRampart({ profile: 'test', log: { destination: logs } });
    const state = engine.begin({ method: 'POST', url: '/api/notes', remoteAddress: '198.51.100.7', encrypted: false, header: () => undefined });
    channel(CHANNEL_NAMES.rateLimitDecision).publish({ state, rule: 'auth', outcome: 'allowed' });
    channel(CHANNEL_NAMES.rateLimitDecision).publish({ state, rule: 'auth', outcome: 'rejected', retryAfterSeconds: 60 });
    channel(CHANNEL_NAMES.csrfRejection).publish({ state, reason: 'token-missing' });
    channel(CHANNEL_NAMES.rateLimitDecision).publish({ state, rule: 'login', outcome: 'rejected', retryAfterSeconds: 120, kind: 'brute-force' });
    void engine.close();
    channel(CHANNEL_NAMES.csrfRejection).publish({ state, reason: 'after-close' });
    const lines = securityLines(logs);
    assert.deepEqual(
      lines.map((line) => [line['event'], line['outcome'], line['ip'], line['reqId'] === state.requestId]),
      [
        ['rate_limit.block', 'blocked', '198.51.100.7', true],
        ['csrf.reject', 'blocked', '198.51.100.7', true],
        ['auth.brute_force.block', 'blocked', '198.51.100.7', true],
      ],
    );
    assert.equal(lines[0]?.['rule'], 'auth');
    assert.equal(lines[1]?.['reason'], 'token-missing');
  });

  it('an engine logs only its own requests\' blocks: a second engine in the process writes none of them', () => {
    const own = new LogCapture();
    const bystander = new LogCapture();
    const engine = createRampart({ profile: 'test', log: { destination: own } });
    const other = createRampart({ profile: 'test', log: { destination: bystander } });
    const state = engine.begin({ method: 'POST', url: '/login', remoteAddress: '198.51.100.7', encrypted: false, header: () => undefined });
    channel(CHANNEL_NAMES.rateLimitDecision).publish({ state, rule: 'auth', outcome: 'rejected', retryAfterSeconds: 60 });
    channel(CHANNEL_NAMES.csrfRejection).publish({ state, reason: 'token-missing' });
    void engine.close();
    void other.close();
    assert.deepEqual(
      securityLines(own).map((line) => line['event']),
      ['rate_limit.block', 'csrf.reject'],
    );
    assert.deepEqual(securityLines(bystander), []);
  });

  it('a client hammering a limited route cannot flood the audit log: one line, then one a minute with the count', async () => {
    const logs = new LogCapture();
    const app = Fastify();
    await app.register(rampart, { profile: 'test', log: { destination: logs }, rateLimit: { rules: [{ name: 'api', limit: 2, window: '1m' }] } });
    app.get('/api/notes', async () => ({ ok: true }));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await app.inject({ url: '/api/notes', remoteAddress: '198.51.100.7' })).statusCode);
      statuses.push((await app.inject({ url: '/api/notes', remoteAddress: '203.0.113.9' })).statusCode);
      assert.equal(statuses.filter((status) => status === 429).length, 198, 'every one over the limit is still refused');
      const blocks = securityLines(logs).filter((line) => line['event'] === 'rate_limit.block');
      assert.deepEqual(blocks.map((line) => [line['ip'], line['rule'], line['suppressed']]), [['198.51.100.7', 'api', undefined]]);
    } finally {
      await app.close();
    }
  });

  it('writes to its own file when asked, apart from the application log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-security-'));
    try {
      const appLogs = new LogCapture();
      const file = join(dir, 'security.log');
      const engine = createRampart({ profile: 'production', log: { destination: appLogs }, securityLog: { file } });
      engine.security.configLoaded({ port: 3000, secretKey: { toJSON: () => '[redacted]' }, databasePassword: 'hunter2' });
      engine.security.bruteForceBlocked({ account: 'root', retryAfterSeconds: 900 });
      // No wait for the file to open: close() itself waits, so an exit right after it keeps the lines.
      await engine.close();
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(lines.map((line) => line['event']), ['config.load', 'auth.brute_force.block']);
      assert.deepEqual(lines[0]?.['config'], { port: 3000, secretKey: '[redacted]', databasePassword: '[redacted]' });
      assert.equal(securityLines(appLogs).length, 0);
      assert.ok(!readFileSync(file, 'utf8').includes('hunter2'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('securityLog: false writes nothing', () => {
    const logs = new LogCapture();
    const engine = createRampart({ profile: 'test', log: { destination: logs }, securityLog: false });
    engine.security.loginFailed({ account: 'x' });
    const state = engine.begin({ method: 'GET', url: '/', remoteAddress: '127.0.0.1', encrypted: false, header: () => undefined });
    channel(CHANNEL_NAMES.csrfRejection).publish({ state, reason: 'origin-mismatch' });
    assert.equal(securityLines(logs).length, 0);
    assert.equal(currentRequest(), undefined);
    void engine.close();
  });
});
