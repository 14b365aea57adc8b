import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manifestPath } from '../../../src/backup/backup-file.js';
import { readManifest } from '../../../src/backup/manifest.js';
import { backupSqlite } from '../../../src/backup/sqlite.js';
import { verifyBackup } from '../../../src/backup/verify.js';
import { requireTool } from '../deploy/tools.js';
import { openSqlite } from 'rampart';

let dir: string;
let source: string;
let createdFile: string;

/** A WAL-mode database like the reference service's: two related tables, an index, a trigger. */
function seed(path: string, users: number, notes: number): void {
  const db = openSqlite(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), body TEXT NOT NULL);
    CREATE INDEX notes_by_user ON notes(user_id);
    CREATE TABLE audit (note_id INTEGER);
    CREATE TRIGGER notes_audit AFTER INSERT ON notes BEGIN INSERT INTO audit VALUES (new.id); END;`);
  const user = db.prepare('INSERT INTO users (email) VALUES (?)');
  const note = db.prepare('INSERT INTO notes (user_id, body) VALUES (?, ?)');
  db.exec('BEGIN');
  for (let i = 1; i <= users; i++) user.run(`user${i}@example.test`);
  for (let i = 0; i < notes; i++) note.run((i % users) + 1, `note ${i} ${'x'.repeat(200)}`);
  db.exec('COMMIT');
  db.close();
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-sqlite-backup-'));
  source = join(dir, 'app.db');
  seed(source, 500, 20_000);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite backups', () => {
  it('create writes a 0600 self-contained copy and a manifest; verify restores it and matches', async () => {
    const backups = join(dir, 'create');
    const result = await backupSqlite({ file: source, dir: backups });
    assert.equal(statSync(backups).mode & 0o777, 0o700);
    assert.equal(statSync(result.file).mode & 0o777, 0o600);
    assert.equal(statSync(result.manifestFile).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(backups).sort(), [result.file, result.manifestFile].map((path) => path.slice(backups.length + 1)).sort(), 'no -wal/-shm or partial files');
    assert.deepEqual(result.manifest.tables, { audit: 20_000, notes: 20_000, users: 500 });
    assert.ok(result.manifest.schema.some((line) => line.startsWith('trigger notes_audit')));
    assert.ok(result.manifest.schema.some((line) => line.startsWith('index notes_by_user')));
    assert.deepEqual(await readManifest(result.file), result.manifest);

    const report = await verifyBackup(result.file);
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.equal(report.rows, 40_500);
    assert.equal(report.compared, true);
    createdFile = result.file;
  });

  it('the sqlite3 shell agrees the copy is a sound database on its own', (t) => {
    if (!requireTool(t, 'sqlite3', 'sqlite3')) return;
    assert.equal(execFileSync('sqlite3', [createdFile, 'PRAGMA integrity_check; SELECT count(*) FROM notes;'], { encoding: 'utf8' }), 'ok\n20000\n');
  });

  it('a backup taken while the app writes is a consistent snapshot that verifies', async () => {
    const live = join(dir, 'live.db');
    seed(live, 50, 30_000);
    const writer = openSqlite(live);
    const insert = writer.prepare('INSERT INTO notes (user_id, body) VALUES (1, ?)');
    let written = 0;
    let writing = true;
    const loop = (): void => {
      if (!writing || written >= 2000) return;
      insert.run(`concurrent ${written++}`);
      setImmediate(loop);
    };
    setImmediate(loop);
    const result = await backupSqlite({ file: live, dir: join(dir, 'live') });
    writing = false;
    writer.close();
    const notes = result.manifest.tables['notes'] as number;
    assert.ok(notes >= 30_000 && notes <= 30_000 + written, `notes ${notes}, written during backup ${written}`);
    assert.equal(result.manifest.tables['audit'], notes, 'the trigger table matches: one transaction boundary, not a torn copy');
    const report = await verifyBackup(result.file);
    assert.equal(report.ok, true, report.problems.join('\n'));
  });

  it('verify fails with a clear message on a truncated backup', async () => {
    const { file } = await backupSqlite({ file: source, dir: join(dir, 'truncated') });
    truncateSync(file, Math.floor(statSync(file).size / 2));
    await assert.rejects(verifyBackup(file), (error: Error & { reason?: string }) => {
      assert.equal(error.reason, 'corrupt');
      assert.match(error.message, /bytes but was \d+ bytes when written: the file was truncated or altered/);
      return true;
    });
    // Without the manifest's checksum, the restore itself catches it.
    rmSync(manifestPath(file));
    await assert.rejects(verifyBackup(file, { allowMissingManifest: true }), /truncated or corrupted|malformed|integrity check failed/);
  });

  it('verify fails on a corrupted byte, even one SQLite itself would not notice', async () => {
    const { file } = await backupSqlite({ file: source, dir: join(dir, 'corrupted') });
    const bytes = readFileSync(file);
    const offset = bytes.indexOf('note 777 ');
    bytes[offset + 5] = '8'.charCodeAt(0);
    writeFileSync(file, bytes);
    await assert.rejects(verifyBackup(file), /does not match the SHA-256 recorded when it was written: the file is corrupted/);
  });

  it('verify reports rows and schema that differ from the manifest', async () => {
    const { file } = await backupSqlite({ file: source, dir: join(dir, 'mismatch') });
    const manifest = JSON.parse(readFileSync(manifestPath(file), 'utf8')) as { tables: Record<string, number>; schema: string[] };
    manifest.tables['users'] = 501;
    manifest.schema.push('index notes_by_body CREATE INDEX notes_by_body ON notes(body)');
    writeFileSync(manifestPath(file), JSON.stringify(manifest));
    const report = await verifyBackup(file);
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems, [
      'table users has 500 rows after restore, 501 when backed up',
      'schema object missing after restore: index notes_by_body CREATE INDEX notes_by_body ON notes(body)',
    ]);
  });

  it('an interrupted backup leaves nothing behind', async () => {
    const backups = join(dir, 'interrupted');
    const controller = new AbortController();
    const pending = backupSqlite({ file: source, dir: backups, signal: controller.signal, onProgress: () => controller.abort() });
    await assert.rejects(pending, /interrupted; no backup file was kept/);
    assert.deepEqual(readdirSync(backups), []);
  });

  it('refuses a missing source and a manifest-less verify unless asked', async () => {
    await assert.rejects(backupSqlite({ file: join(dir, 'nope.db'), dir: join(dir, 'x') }), /does not exist/);
    const { file } = await backupSqlite({ file: source, dir: join(dir, 'nomanifest') });
    rmSync(manifestPath(file));
    await assert.rejects(verifyBackup(file), /No manifest beside .*Pass --no-manifest/);
    const report = await verifyBackup(file, { allowMissingManifest: true });
    assert.equal(report.ok, true);
    assert.equal(report.compared, false);
  });
});
