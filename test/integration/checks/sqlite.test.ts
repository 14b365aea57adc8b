import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqlite, runCheck, sqliteCheck, sqlitePath } from 'rampart';

const dir = mkdtempSync(join(tmpdir(), 'rampart-sqlite-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('sqliteCheck against a real SQLite file', () => {
  const file = join(dir, 'app.sqlite');
  const seeded = openSqlite(file);
  seeded.exec('CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE VIEW active_users AS SELECT * FROM users;');
  seeded.close();

  it('passes on a readable database with the required tables and views', async () => {
    const result = await runCheck(sqliteCheck({ path: file, tables: ['users', 'active_users'] }));
    assert.deepEqual([result.status, result.output], ['pass', '2 required tables present']);
  });

  it('names missing tables in the remedy', async () => {
    const result = await runCheck(sqliteCheck({ path: file, tables: ['users', 'sessions'] }));
    assert.deepEqual([result.status, result.output, result.remedy], ['fail', '1 of 2 required tables missing', 'table sessions missing — run migrations: npm run migrate']);
  });

  it('fails on a missing file unless asked to create it — without the path in the output', async () => {
    const missing = join(dir, 'nested', 'new.sqlite');
    const result = await runCheck(sqliteCheck({ path: missing }));
    assert.deepEqual([result.status, result.output], ['fail', 'database file not found']);
    assert.ok(!`${result.output} ${result.remedy}`.includes(dir));
    assert.ok(!existsSync(missing), 'a failing check creates nothing');
    const created = await runCheck(sqliteCheck({ path: missing, create: true }));
    assert.equal(created.status, 'pass');
    assert.ok(existsSync(missing));
  });

  it('fails on a file that is not a database', async () => {
    const garbage = join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'this is not a sqlite database, just text that is long enough to have a header'.repeat(20));
    const result = await runCheck(sqliteCheck({ path: garbage }));
    assert.deepEqual([result.status, result.output], ['fail', 'the file is not a SQLite database']);
  });

  it('checks the app’s open database handle', async () => {
    const handle = openSqlite(':memory:');
    try {
      assert.equal((await runCheck(sqliteCheck({ database: handle, tables: ['users'] }))).output, '1 of 1 required tables missing');
      handle.exec('CREATE TABLE users (id INTEGER)');
      assert.equal((await runCheck(sqliteCheck({ database: handle, tables: ['users'] }))).status, 'pass');
    } finally {
      handle.close();
    }
  });

  it('reads the file out of sqlite: URLs in their common spellings', () => {
    assert.equal(sqlitePath('sqlite:./data/app.sqlite'), './data/app.sqlite');
    assert.equal(sqlitePath('sqlite:data/app.sqlite'), 'data/app.sqlite');
    assert.equal(sqlitePath('sqlite:/var/lib/app/data.sqlite'), '/var/lib/app/data.sqlite');
    assert.equal(sqlitePath('sqlite:///relative.db'), 'relative.db');
    assert.equal(sqlitePath('sqlite:////var/lib/absolute.db'), '/var/lib/absolute.db');
    assert.equal(sqlitePath('sqlite::memory:'), ':memory:');
    assert.equal(sqlitePath('sqlite:./data/app.sqlite?mode=ro'), './data/app.sqlite');
    assert.equal(sqlitePath('postgres://db/app'), undefined);
  });
});
