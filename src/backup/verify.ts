import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { BackupError, type ProgressListener } from './backup-error.js';
import { digestFile, manifestPath, parseBackupName, type Engine } from './backup-file.js';
import { compareContents, readManifest, type DatabaseContents, type Manifest } from './manifest.js';
import { restorePostgresScratch } from './postgres.js';
import { restoreSqliteScratch } from './sqlite.js';

export interface VerifyOptions {
  /** PostgreSQL backups: any database on the server to restore into; a scratch database is created beside it and dropped. */
  readonly url?: string;
  readonly pgBin?: string;
  /** Verify a backup that has no manifest: the restore is checked, but there is nothing to compare it with. Default false. */
  readonly allowMissingManifest?: boolean;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface VerifyReport {
  readonly file: string;
  readonly engine: Engine;
  /** True when the backup restored and matched its manifest. */
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly tables: number;
  readonly rows: number;
  /** False when verified without a manifest (restore only). */
  readonly compared: boolean;
  readonly durationMs: number;
}

/**
 * Proves a backup restores: checks its size and SHA-256 against the
 * manifest, restores it into a scratch database (PostgreSQL) or a temp file
 * (SQLite), and compares every table's row count and the schema with what the
 * manifest recorded at backup time. The scratch copy is always removed.
 */
export async function verifyBackup(file: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new BackupError('not-found', `Backup ${file} does not exist.`);
  const manifest = await readManifest(file);
  if (manifest === undefined && options.allowMissingManifest !== true) {
    throw new BackupError(
      'not-found',
      `No manifest beside ${basename(file)} (expected ${basename(manifestPath(file))}): verify compares the restore with the manifest "rampart backup create" writes. ` +
        'Pass --no-manifest to check only that it restores.',
    );
  }
  if (manifest !== undefined) await checkIntegrity(file, manifest);
  const engine = manifest?.engine ?? engineOf(file);
  let contents: DatabaseContents;
  switch (engine) {
    case 'postgresql':
      if (options.url === undefined) {
        throw new BackupError('invalid', 'Verifying a PostgreSQL backup restores it into a scratch database: pass --database (or set DATABASE_URL) naming a database on a server to use.');
      }
      contents = await restorePostgresScratch(file, {
        url: options.url,
        ...(options.pgBin === undefined ? {} : { pgBin: options.pgBin }),
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      break;
    case 'sqlite':
      contents = await restoreSqliteScratch(file);
      break;
  }
  const problems = manifest === undefined ? [] : compareContents(manifest, contents);
  const rows = Object.values(contents.tables).reduce((sum, count) => sum + count, 0);
  return {
    file,
    engine,
    ok: problems.length === 0,
    problems,
    tables: Object.keys(contents.tables).length,
    rows,
    compared: manifest !== undefined,
    durationMs: Math.round(performance.now() - started),
  };
}

async function checkIntegrity(file: string, manifest: Manifest): Promise<void> {
  const actual = await digestFile(file);
  if (actual.bytes !== manifest.bytes) {
    throw new BackupError('corrupt', `${basename(file)} is ${actual.bytes} bytes but was ${manifest.bytes} bytes when written: the file was truncated or altered. Use another backup.`);
  }
  if (actual.sha256 !== manifest.sha256) {
    throw new BackupError('corrupt', `${basename(file)} does not match the SHA-256 recorded when it was written: the file is corrupted. Use another backup.`);
  }
}

function engineOf(file: string): Engine {
  const parsed = parseBackupName(file);
  if (parsed !== undefined) return parsed.engine;
  const extension = extname(file).toLowerCase();
  if (extension === '.pgdump' || extension === '.dump') return 'postgresql';
  if (extension === '.sqlite' || extension === '.sqlite3' || extension === '.db') return 'sqlite';
  throw new BackupError('invalid', `Cannot tell whether ${basename(file)} is a PostgreSQL or a SQLite backup: it has no manifest and an unknown extension.`);
}
