import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { renderProblem } from '../../../src/errors/problem.js';
import { openDatabase } from '../../../examples/service/db/database.js';
import { DATABASE_URL, requirePostgres } from '../../support/services.js';

// PostgreSQL stopping under load crashed the reference service: a client
// checked out of the pool lost its connection mid-query, node-postgres
// emitted 'error' on it with no listener, and the process died of an
// uncaught exception.
describe('reference service database: a connection lost mid-query does not crash the process', () => {
  it('a transaction cut mid-way fails (as a 503), nothing is thrown uncaught, and the pool serves the next query', async (t) => {
    if (!(await requirePostgres(t))) return;
    const name = `rampart-loss-${randomUUID().slice(0, 8)}`;
    const url = new URL(DATABASE_URL);
    url.searchParams.set('application_name', name);
    const database = openDatabase(url.toString());
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      // A client checked out of the pool without a query running on it: a
      // transaction between two statements. (A query in flight is exposed
      // too, when the server's error and its close arrive in one read.)
      let terminate: () => void = () => undefined;
      const terminated = new Promise<void>((resolve) => (terminate = resolve));
      const transaction = database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        terminate();
        await new Promise((resolve) => setTimeout(resolve, 500));
        await sql`select 1`.execute(trx);
      });
      const failed = transaction.then(
        () => undefined,
        (error: unknown) => error,
      );
      await terminated;
      // Only this test's own backend is terminated, found by its application_name.
      const result = await admin.query('select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1', [name]);
      assert.equal(result.rowCount, 1, 'the backend was terminated');
      const error = await failed;
      assert.ok(error instanceof Error, 'the transaction failed');
      assert.equal(renderProblem(error, 'req', '/api/notes', { typeBase: 'urn:rampart:problem:', exposeInternals: false }).status, 503);
      assert.deepEqual(uncaught.map(String), []);
      const after = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      assert.equal(after.rows[0]?.one, 1, 'the pool replaced the broken client');
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
      await database.close();
    }
  });
});
