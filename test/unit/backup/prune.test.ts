import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { backupName, manifestPath } from '../../../src/backup/backup-file.js';
import { MANIFEST_FORMAT } from '../../../src/backup/manifest.js';
import { pruneBackups } from '../../../src/backup/prune.js';

const root = mkdtempSync(join(tmpdir(), 'rampart-prune-'));
after(() => rmSync(root, { recursive: true, force: true }));
const NOW = new Date('2026-06-30T12:00:00.000Z');
const DAY = 86_400_000;
let dir: string;
let counter = 0;

beforeEach(() => {
  dir = join(root, String(counter++));
  mkdirSync(dir);
});

/** A backup `daysAgo` old, with its manifest unless `complete` is false. */
function backup(label: string, daysAgo: number, complete = true): string {
  const file = join(dir, backupName(label, 'sqlite', new Date(NOW.getTime() - daysAgo * DAY)));
  writeFileSync(file, 'x');
  if (complete) {
    writeFileSync(manifestPath(file), JSON.stringify({ format: MANIFEST_FORMAT, engine: 'sqlite', sha256: 'x', bytes: 1, tables: {}, schema: [] }));
  }
  return basename(file);
}

const remaining = (): string[] => readdirSync(dir).filter((name) => !name.endsWith('.manifest.json')).sort();

describe('prune', () => {
  it('keeps the newest --keep-last per label and deletes the rest with their manifests', async () => {
    const names = [0, 1, 2, 3, 4].map((days) => backup('app', days));
    const report = await pruneBackups({ dir, keepLast: 2, now: NOW });
    assert.deepEqual(remaining(), [names[1], names[0]].sort());
    assert.equal(report.deleted.length, 3);
    assert.equal(readdirSync(dir).filter((name) => name.endsWith('.manifest.json')).length, 2);
  });

  it('keeps everything younger than --keep-days, and the newest even when all are older', async () => {
    const names = [1, 5, 9, 20].map((days) => backup('app', days));
    await pruneBackups({ dir, keepDays: 7, now: NOW });
    assert.deepEqual(remaining(), [names[0], names[1]].sort());
    const dir2 = dir;
    dir = join(root, String(counter++));
    mkdirSync(dir);
    const old = [30, 40].map((days) => backup('app', days));
    await pruneBackups({ dir, keepDays: 7, now: NOW });
    assert.deepEqual(remaining(), [old[0]], 'the newest backup is never deleted');
    dir = dir2;
  });

  it('keeps a backup when either rule protects it', async () => {
    const names = [0, 2, 3, 10, 11].map((days) => backup('app', days));
    await pruneBackups({ dir, keepDays: 5, keepLast: 4, now: NOW });
    assert.deepEqual(remaining(), names.slice(0, 4).sort());
  });

  it('prunes each label on its own, or only the label asked for', async () => {
    const app = [0, 1, 2].map((days) => backup('app', days));
    const jobs = [0, 1, 2].map((days) => backup('jobs', days));
    await pruneBackups({ dir, keepLast: 1, label: 'jobs', now: NOW });
    assert.deepEqual(remaining(), [...app, jobs[0]].sort());
    await pruneBackups({ dir, keepLast: 2, now: NOW });
    assert.deepEqual(remaining(), [app[0], app[1], jobs[0]].sort());
  });

  it('changes nothing on a dry run', async () => {
    [0, 1, 2].map((days) => backup('app', days));
    const report = await pruneBackups({ dir, keepLast: 1, dryRun: true, now: NOW });
    assert.equal(report.deleted.length, 2);
    assert.equal(remaining().length, 3);
  });

  it('removes leftovers of interrupted runs once they are a day old, and never files it does not own', async () => {
    const kept = backup('app', 0);
    const orphanOld = backup('app', 3, false);
    const orphanFresh = backup('app', 0.1, false);
    const partialOld = join(dir, `.${backupName('app', 'sqlite', new Date(NOW.getTime() - 2 * DAY))}.partial-99-abcdef01`);
    const partialFresh = join(dir, `.${backupName('app', 'sqlite', NOW)}.partial-98-abcdef02`);
    writeFileSync(partialOld, 'x');
    writeFileSync(partialFresh, 'x');
    const twoDaysAgo = (NOW.getTime() - 2 * DAY) / 1000;
    utimesSync(partialOld, twoDaysAgo, twoDaysAgo);
    utimesSync(partialFresh, NOW.getTime() / 1000, NOW.getTime() / 1000);
    const lone = join(dir, `${backupName('app', 'sqlite', new Date(NOW.getTime() - 5 * DAY))}.manifest.json`);
    writeFileSync(lone, '{}');
    utimesSync(lone, twoDaysAgo, twoDaysAgo);
    writeFileSync(join(dir, 'notes.txt'), 'not a backup');
    const report = await pruneBackups({ dir, keepLast: 5, now: NOW });
    assert.deepEqual(report.leftovers.map((file) => basename(file)).sort(), [orphanOld, basename(partialOld), basename(lone)].sort());
    const left = readdirSync(dir);
    for (const name of [kept, orphanFresh, basename(partialFresh), 'notes.txt']) assert.ok(left.includes(name), name);
  });

  it('refuses to run without a retention rule, or with --keep-last 0', async () => {
    await assert.rejects(pruneBackups({ dir, now: NOW }), /needs --keep-days and\/or --keep-last/);
    await assert.rejects(pruneBackups({ dir, keepLast: 0, now: NOW }), /never deletes every backup/);
  });
});
