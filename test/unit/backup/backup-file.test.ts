import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backupName, labelFrom, parseBackupName, PendingFile } from '../../../src/backup/backup-file.js';
import { compareContents } from '../../../src/backup/manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-backup-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('backup file names', () => {
  it('encode label, engine and UTC time to the millisecond, and parse back', () => {
    const date = new Date('2026-03-04T05:06:07.089Z');
    const name = backupName('notes', 'postgresql', date);
    assert.equal(name, 'notes-20260304T050607.089Z.pgdump');
    assert.deepEqual(parseBackupName(`/var/backups/${name}`), { label: 'notes', engine: 'postgresql', createdAt: date });
    assert.equal(parseBackupName(backupName('app', 'sqlite', date))?.engine, 'sqlite');
    assert.equal(parseBackupName('notes-latest.pgdump'), undefined);
    assert.equal(parseBackupName(`.${name}.partial-12-ab`), undefined);
  });

  it('derive labels from database and file names, refusing path tricks', () => {
    assert.equal(labelFrom('app.db'), 'app');
    assert.equal(labelFrom('my db'), 'my-db');
    assert.equal(labelFrom('..'), 'backup');
    assert.throws(() => backupName('../etc', 'sqlite', new Date()), { name: 'BackupError' });
  });
});

describe('PendingFile: never a partial file under the final name', () => {
  it('is created 0600 under a partial name and appears under the final name only on commit', async () => {
    const final = join(dir, backupName('a', 'sqlite', new Date()));
    const pending = await PendingFile.create(final);
    assert.equal(statSync(pending.path).mode & 0o777, 0o600);
    assert.match(pending.path, /\/\.a-.*\.sqlite\.partial-\d+-[0-9a-f]{8}$/);
    writeFileSync(pending.path, 'data');
    assert.throws(() => statSync(final), { code: 'ENOENT' });
    await pending.commit();
    assert.equal(statSync(final).mode & 0o777, 0o600);
    await pending.discard();
    assert.equal(statSync(final).size, 4, 'discard after commit keeps the backup');
  });

  it('discards its partial file on failure', async () => {
    const pending = await PendingFile.create(join(dir, backupName('b', 'sqlite', new Date())));
    writeFileSync(pending.path, 'half a backup');
    await pending.discard();
    assert.deepEqual(readdirSync(dir).filter((name) => name.includes('b-')), []);
  });

  it('refuses to overwrite an existing backup', async () => {
    const final = join(dir, backupName('c', 'sqlite', new Date()));
    writeFileSync(final, 'the real one');
    const pending = await PendingFile.create(final);
    await assert.rejects(pending.commit(), /already exists/);
    await pending.discard();
  });
});

describe('compareContents', () => {
  const backedUp = { tables: { 'public.users': 10, 'public.notes': 5 }, schema: ['column public.users.id integer', 'index CREATE INDEX i ON public.notes (a)'] };

  it('finds nothing when restore and manifest agree', () => {
    assert.deepEqual(compareContents(backedUp, structuredClone(backedUp)), []);
  });

  it('names missing rows, missing and extra tables, and schema drift', () => {
    const problems = compareContents(backedUp, { tables: { 'public.users': 9, 'public.extra': 0 }, schema: ['column public.users.id bigint', 'index CREATE INDEX i ON public.notes (a)'] });
    assert.deepEqual(problems, [
      'table public.users has 9 rows after restore, 10 when backed up',
      'table public.notes is missing from the restore',
      'table public.extra appears in the restore but was not in the backup',
      'schema object missing after restore: column public.users.id integer',
      'schema object not in the backup: column public.users.id bigint',
    ]);
  });
});
