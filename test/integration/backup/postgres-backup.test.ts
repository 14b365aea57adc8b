import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { manifestPath } from '../../../src/backup/backup-file.js';
import { backupPostgres } from '../../../src/backup/postgres.js';
import { verifyBackup } from '../../../src/backup/verify.js';
import { DATABASE_URL, requirePostgres } from '../../support/services.js';
import { requireTool } from '../deploy/tools.js';

/**
 * Against the shared local PostgreSQL: each run creates its own database
 * (never touching the shared `test` one) and drops it at the end; verify's
 * scratch databases are created and dropped beside it.
 */
const database = `rampart_backup_${randomBytes(4).toString('hex')}`;
let admin: pg.Client | undefined;
let url: string;
let dir: string;

function urlFor(name: string): string {
  const next = new URL(DATABASE_URL);
  next.pathname = `/${name}`;
  return next.href;
}

async function withClient<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function scratchDatabases(): Promise<string[]> {
  const { rows } = await (admin as pg.Client).query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'rampart\\_verify\\_%'");
  return rows.map((row) => row.datname);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-pg-backup-'));
  url = urlFor(database);
  admin = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await admin.connect();
  } catch {
    admin = undefined; // requirePostgres skips (or fails under CI) each test below.
    return;
  }
  await admin.query(`CREATE DATABASE ${database}`);
  await withClient((client) =>
    client.query(`
      CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, created timestamptz NOT NULL DEFAULT now());
      CREATE SCHEMA app;
      CREATE TABLE app.notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id int NOT NULL REFERENCES users(id), body text NOT NULL);
      CREATE INDEX notes_by_user ON app.notes (user_id);
      CREATE VIEW app.note_counts AS SELECT user_id, count(*) FROM app.notes GROUP BY user_id;
      CREATE TABLE app.empty (k text);
      INSERT INTO users (email) SELECT 'user' || g || '@example.test' FROM generate_series(1, 300) g;
      INSERT INTO app.notes (user_id, body) SELECT (g % 300) + 1, repeat('note ', 20) FROM generate_series(1, 5000) g;`),
  );
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (admin === undefined) return;
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

describe('PostgreSQL backups (pg_dump custom format)', () => {
  it('create → verify: a compressed 0600 dump whose restore matches the manifest, and the scratch database is dropped', async (t) => {
    if (!(await requirePostgres(t)) || !requireTool(t, 'pg_dump', 'postgresql-client')) return;
    const before = await scratchDatabases();
    const phases = new Set<string>();
    const result = await backupPostgres({ url, dir: join(dir, 'roundtrip'), onProgress: (progress) => phases.add(progress.phase) });
    assert.equal(statSync(result.file).mode & 0o777, 0o600);
    assert.equal(statSync(result.manifestFile).mode & 0o777, 0o600);
    assert.equal(readFileSync(result.file).subarray(0, 5).toString(), 'PGDMP', 'custom format');
    assert.ok(result.manifest.bytes < 5000 * 100 / 4, `compressed: ${result.manifest.bytes} bytes`);
    assert.deepEqual(result.manifest.tables, { 'app.empty': 0, 'app.notes': 5000, 'public.users': 300 });
    assert.ok(result.manifest.source.endsWith(`/${database}`));
    assert.doesNotMatch(result.manifest.source, /\/\/[^@/]*:[^@/]*@/, 'no password in the manifest');
    assert.ok(result.manifest.schema.includes('index CREATE INDEX notes_by_user ON app.notes USING btree (user_id)'));
    assert.ok(result.manifest.schema.includes('column app.notes.id bigint not null identity always'));
    assert.ok(result.manifest.schema.some((line) => line.startsWith('constraint app.notes notes_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id)')));
    assert.ok(phases.has('count') && phases.has('dump'));

    const report = await verifyBackup(result.file, { url: DATABASE_URL });
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.equal(report.rows, 5300);
    assert.deepEqual(await scratchDatabases(), before, 'the scratch database is gone');
  });

  it('the dump and its manifest come from one snapshot, while the app keeps writing', async (t) => {
    if (!(await requirePostgres(t)) || !requireTool(t, 'pg_dump', 'postgresql-client')) return;
    let stop = false;
    let written = 0;
    const writer = withClient(async (client) => {
      while (!stop && written < 5000) {
        await client.query("INSERT INTO app.notes (user_id, body) VALUES (1, 'concurrent')");
        written++;
      }
    });
    // Let the writer get going before the snapshot is taken.
    while (written < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await backupPostgres({ url, dir: join(dir, 'concurrent') });
    stop = true;
    await writer;
    const notes = result.manifest.tables['app.notes'] as number;
    assert.ok(notes > 5000 && notes < 5000 + written, `snapshot ${notes} rows, ${written} written during the backup`);
    const report = await verifyBackup(result.file, { url: DATABASE_URL });
    assert.equal(report.ok, true, report.problems.join('\n'));
  });

  it('verify fails clearly on a truncated dump, with or without its manifest', async (t) => {
    if (!(await requirePostgres(t)) || !requireTool(t, 'pg_dump', 'postgresql-client')) return;
    const { file } = await backupPostgres({ url, dir: join(dir, 'truncated') });
    truncateSync(file, Math.floor(statSync(file).size * 0.6));
    await assert.rejects(verifyBackup(file, { url: DATABASE_URL }), /bytes but was \d+ bytes when written: the file was truncated or altered/);
    rmSync(manifestPath(file));
    const before = await scratchDatabases();
    await assert.rejects(verifyBackup(file, { url: DATABASE_URL, allowMissingManifest: true }), (error: Error & { reason?: string }) => {
      assert.equal(error.reason, 'corrupt');
      assert.match(error.message, /truncated or corrupted/);
      return true;
    });
    assert.deepEqual(await scratchDatabases(), before, 'a failed restore drops its scratch database too');
  });

  it('verify fails on a corrupted byte', async (t) => {
    if (!(await requirePostgres(t)) || !requireTool(t, 'pg_dump', 'postgresql-client')) return;
    const { file } = await backupPostgres({ url, dir: join(dir, 'corrupted') });
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] as number) ^ 0xff;
    writeFileSync(file, bytes);
    await assert.rejects(verifyBackup(file, { url: DATABASE_URL }), /does not match the SHA-256 recorded when it was written/);
  });

  it('verify reports a restore that does not hold what the manifest recorded', async (t) => {
    if (!(await requirePostgres(t)) || !requireTool(t, 'pg_dump', 'postgresql-client')) return;
    const { file } = await backupPostgres({ url, dir: join(dir, 'mismatch') });
    const manifest = JSON.parse(readFileSync(manifestPath(file), 'utf8')) as { tables: Record<string, number>; schema: string[] };
    manifest.tables['app.notes'] = (manifest.tables['app.notes'] as number) + 1;
    manifest.schema = manifest.schema.filter((line) => !line.startsWith('index CREATE INDEX notes_by_user'));
    writeFileSync(manifestPath(file), JSON.stringify(manifest));
    const report = await verifyBackup(file, { url: DATABASE_URL });
    assert.equal(report.ok, false);
    assert.match(report.problems[0] ?? '', /^table app\.notes has \d+ rows after restore, \d+ when backed up$/);
    assert.equal(report.problems[1], 'schema object not in the backup: index CREATE INDEX notes_by_user ON app.notes USING btree (user_id)');
  });

  it('explains a missing pg_dump and an unreachable server, and leaves no file behind', async (t) => {
    if (!(await requirePostgres(t)) || !requireTool(t, 'pg_dump', 'postgresql-client')) return;
    const target = join(dir, 'failures');
    await assert.rejects(backupPostgres({ url, dir: target, pgBin: join(dir, 'no-such-bin') }), (error: Error & { reason?: string }) => {
      assert.equal(error.reason, 'tool-missing');
      assert.match(error.message, /pg_dump was not found in .*no-such-bin/);
      return true;
    });
    const closed = new URL(url);
    closed.port = '1';
    closed.password = 'hunter2';
    await assert.rejects(backupPostgres({ url: closed.href, dir: target }), (error: Error & { reason?: string }) => {
      assert.equal(error.reason, 'unreachable');
      assert.match(error.message, /Cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/rampart_backup_\w+: connection refused/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
    await assert.rejects(backupPostgres({ url: urlFor(`${database}_missing`), dir: target }), /Cannot connect to PostgreSQL at .*does not exist/);
    // A pg_dump older than the server cannot dump it: say which client to install.
    const oldBin = join(dir, 'old-bin');
    mkdirSync(oldBin);
    writeFileSync(join(oldBin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
    await assert.rejects(backupPostgres({ url, dir: target, pgBin: oldBin }), (error: Error & { reason?: string }) => {
      assert.equal(error.reason, 'tool-too-old');
      assert.match(error.message, /pg_dump \(PostgreSQL\) 9\.6\.24 cannot dump a PostgreSQL \d+ server .*Install postgresql-client-\d+/);
      return true;
    });
    assert.deepEqual(readdirSync(dir).includes('failures') ? readdirSync(target) : [], []);
  });
});
