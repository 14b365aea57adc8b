import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqlite } from 'rampart';

const root = new URL('../../../', import.meta.url).pathname;
let dir: string;
let source: string;

/** Runs `rampart backup …` as a user would, in a child process. */
function rampart(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return rampartWith({}, ...args);
}

function rampartWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'src/cli/main.ts'), 'backup', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: '', DATABASE_URL_FILE: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
    );
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rampart-backup-cli-'));
  source = join(dir, 'app.db');
  const db = openSqlite(source);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b'), ('c');");
  db.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rampart backup (CLI)', () => {
  it('create --verify --json, list, then prune --keep-last 1', async () => {
    const backups = join(dir, 'backups');
    const first = await rampart('create', '--sqlite', source, '--dir', backups, '--verify', '--json');
    assert.equal(first.code, 0, first.stderr);
    const result = JSON.parse(first.stdout) as { file: string; verify: { ok: boolean; rows: number } };
    assert.equal(result.verify.ok, true);
    assert.equal(result.verify.rows, 3);
    assert.equal(statSync(result.file).mode & 0o777, 0o600);

    const second = await rampart('create', '--sqlite', source, '--dir', backups, '--label', 'app');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /backup written: .*app-\d{8}T\d{6}\.\d{3}Z\.sqlite\n {2}.*1 tables, 3 rows/);

    const listed = await rampart('list', '--dir', backups);
    assert.equal(listed.stdout.trim().split('\n').length, 2);

    const pruned = await rampart('prune', '--dir', backups, '--keep-last', '1');
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stderr, /kept 1 backups, deleted 1/);
    assert.equal(readdirSync(backups).length, 2, 'one backup and its manifest');
  });

  it('exits 1 with the reason when verify fails, and 64 on usage errors', async () => {
    const backups = join(dir, 'broken');
    const created = await rampart('create', '--sqlite', source, '--dir', backups, '--quiet');
    assert.equal(created.code, 0, created.stderr);
    const file = join(backups, readdirSync(backups).find((name) => name.endsWith('.sqlite')) as string);
    truncateSync(file, 100);
    const verified = await rampart('verify', file);
    assert.equal(verified.code, 1);
    assert.match(verified.stderr, /rampart backup: .* is 100 bytes but was \d+ bytes when written: the file was truncated or altered/);

    assert.equal((await rampart('create', '--dir', backups)).code, 64, 'no database named');
    const fromEnv = await rampartWith({ DATABASE_URL: `sqlite:${source}` }, 'create', '--dir', join(dir, 'from-env'), '--verify');
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stderr, /verify OK/);
    assert.equal((await rampartWith({ DATABASE_URL: 'sqlite::memory:' }, 'create', '--dir', backups)).code, 64);
    assert.equal((await rampart('prune', '--dir', backups)).code, 1, 'no retention rule');
    assert.equal((await rampart('create', '--bogus')).code, 64);
    assert.equal((await rampart('explode')).code, 64);
  });
});
