import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { Secret, postgresCheck, runCheck } from 'rampart';
import { DATABASE_URL, requirePostgres } from '../../support/services.js';
import { clientSockets, closedPort, leaks, settle, silentServer, type SilentServer } from './silent-server.js';

const suffix = randomBytes(4).toString('hex');
const TABLE = `rampart_check_${suffix}`;
const SCHEMA = `rampart_check_schema_${suffix}`;

describe('postgresCheck against a real PostgreSQL', () => {
  let admin: pg.Client | undefined;
  let silent: SilentServer;

  before(async () => {
    silent = await silentServer();
  });

  after(async () => {
    await silent.close();
    if (admin !== undefined) {
      await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
      await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.end();
    }
  });

  async function database(t: TestContext): Promise<boolean> {
    if (!(await requirePostgres(t))) return false;
    if (admin === undefined) {
      admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (id int)`);
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await admin.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.accounts (id int)`);
    }
    return true;
  }

  it('passes when the database answers and the tables exist (plain and schema-qualified)', async (t) => {
    if (!(await database(t))) return;
    const result = await runCheck(postgresCheck({ url: new Secret(DATABASE_URL), tables: [TABLE, `${SCHEMA}.accounts`] }));
    assert.equal(result.status, 'pass');
    assert.equal(result.output, '2 required tables present');
    assert.equal((await runCheck(postgresCheck({ url: DATABASE_URL }))).output, 'connected');
  });

  it('names the missing tables and the migration command in the remedy only', async (t) => {
    if (!(await database(t))) return;
    const result = await runCheck(postgresCheck({ url: DATABASE_URL, tables: [TABLE, 'users', 'sessions'], migrateCommand: 'npm run db:migrate' }));
    assert.equal(result.status, 'fail');
    assert.equal(result.output, '2 of 3 required tables missing');
    assert.equal(result.remedy, 'tables users, sessions missing — run migrations: npm run db:migrate');
  });

  it('uses an application pool, returning the client afterwards', async (t) => {
    if (!(await database(t))) return;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
    try {
      const result = await runCheck(postgresCheck({ pool, tables: [TABLE] }));
      assert.equal(result.status, 'pass');
      assert.equal(pool.totalCount, 1);
      assert.equal(pool.idleCount, 1, 'the client went back to the pool');
    } finally {
      await pool.end();
    }
  });

  it('destroys a pool client stuck past the timeout instead of returning it', async (t) => {
    if (!(await database(t))) return;
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    pool.on('error', () => undefined);
    const stuck = {
      connect: async () => {
        const client = await pool.connect();
        return { query: () => client.query('SELECT pg_sleep(5)') as Promise<{ rows: unknown[] }>, release: (destroy?: boolean | Error) => client.release(destroy) };
      },
    };
    try {
      const started = performance.now();
      const result = await runCheck(postgresCheck({ pool: stuck, timeoutMs: 300 }));
      assert.equal(result.output, 'timed out after 300 ms');
      assert.ok(performance.now() - started < 1500);
      assert.equal(pool.totalCount, 0, 'the stuck client was destroyed');
    } finally {
      await pool.end();
    }
  });

  it('reports fixed phrases for refused, unknown database and unknown role — no host, user or driver text', async (t) => {
    if (!(await database(t))) return;
    const { hostname, port } = new URL(DATABASE_URL);
    const refusedPort = await closedPort();
    const cases: [string, string, string][] = [
      [`postgres://app_user:hunter2@127.0.0.1:${refusedPort}/app_db`, 'connection refused', 'check DATABASE_URL and that PostgreSQL is running and reachable'],
      [`postgres://postgres@${hostname}:${port}/no_such_db_${suffix}`, 'database does not exist', 'create the database, or fix its name in DATABASE_URL'],
      [`postgres://no_such_role_${suffix}:hunter2@${hostname}:${port}/test`, 'authentication failed', "check the user and password in DATABASE_URL, and the role's privileges"],
      ['postgres://app_user:hunter2@no-such-host.invalid:5432/app_db', 'host not found', 'check DATABASE_URL and that PostgreSQL is running and reachable'],
    ];
    for (const [url, output, remedy] of cases) {
      const result = await runCheck(postgresCheck({ url }));
      assert.equal(result.status, 'fail', url);
      assert.equal(result.output, output, url);
      assert.equal(result.remedy, remedy, url);
      assert.deepEqual(leaks(`${result.output} ${result.remedy}`, 'hunter2', 'app_user', 'app_db', '127.0.0.1', refusedPort, 'no-such-host', `no_such_role_${suffix}`, `no_such_db_${suffix}`), [], url);
    }
  });

  it('times out on a server that accepts and never answers, and destroys its socket', async () => {
    await settle();
    const baseline = clientSockets(silent);
    const started = performance.now();
    const result = await runCheck(postgresCheck({ url: `postgres://app:hunter2@127.0.0.1:${silent.port}/app`, timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    assert.equal(result.status, 'fail');
    assert.equal(result.output, 'timed out after 300 ms');
    assert.ok(elapsed >= 290 && elapsed < 1500, `${elapsed} ms`);
    assert.ok(silent.open.size >= 1, 'the check did reach the server');
    await settle();
    assert.ok(clientSockets(silent) <= baseline, 'no half-open socket left to the hung server');
  });

  it('downgrades to warn when not critical', async () => {
    const result = await runCheck(postgresCheck({ url: `postgres://127.0.0.1:${await closedPort()}/x`, critical: false }));
    assert.equal(result.status, 'warn');
  });

  it('needs exactly one of url and pool', () => {
    assert.throws(() => postgresCheck({}), TypeError);
    assert.throws(() => postgresCheck({ url: DATABASE_URL, pool: new pg.Pool() }), TypeError);
  });
});
