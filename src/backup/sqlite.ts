import { chmod, copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { openSqlite, type OpenSqliteOptions, type SqliteConnection } from '../sqlite/open-sqlite.js';
import { BackupError, type ProgressListener } from './backup-error.js';
import { BACKUP_FILE_MODE, backupName, digestFile, ensureBackupDir, labelFrom, PendingFile } from './backup-file.js';
import { MANIFEST_FORMAT, schemaDigest, writeManifest, type BackupResult, type DatabaseContents, type Manifest } from './manifest.js';

export interface SqliteBackupOptions {
  /** The live database file. */
  readonly file: string;
  readonly dir: string;
  /** Default: the file name without its extension. */
  readonly label?: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/**
 * Pages copied per step of the online backup (4 MiB at the default 4 KiB
 * page): steps yield to the event loop and report progress.
 */
const PAGES_PER_STEP = 1024;
/**
 * A write by another connection restarts a stepped backup from page one, so a
 * busy app could keep a backup from ever finishing. After the first restart the
 * rest is copied in one step: one read transaction, which in WAL mode never
 * blocks the app's writers.
 */
const ALL_REMAINING_PAGES = 0x7fffffff;

/** Opens a database, naming a missing driver as a backup error. */
function open(path: string, options: OpenSqliteOptions): SqliteConnection {
  try {
    return openSqlite(path, options);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'RAMPART_SQLITE_DRIVER_MISSING') {
      throw new BackupError('driver-missing', 'SQLite backups need the "better-sqlite3" package on Node before 24: npm install better-sqlite3', { cause: error });
    }
    throw error;
  }
}

/**
 * SQLite's online backup API: a consistent copy of a database the app keeps
 * using. The copy is integrity-checked and counted before it gets its final
 * name, and switched out of WAL mode so it is one self-contained file.
 */
export async function backupSqlite(options: SqliteBackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const sourcePath = resolve(options.file);
  const exists = await stat(sourcePath).then((info) => info.isFile(), () => false);
  if (!exists) throw new BackupError('not-found', `SQLite database ${sourcePath} does not exist.`);
  let source: SqliteConnection;
  try {
    source = open(sourcePath, { readonly: true, fileMustExist: true });
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError('unreachable', `Cannot open SQLite database ${sourcePath}: ${(error as Error).message}`, { cause: error });
  }
  await ensureBackupDir(options.dir);
  const createdAt = new Date();
  const label = options.label ?? labelFrom(basename(sourcePath));
  const pending = await PendingFile.create(join(options.dir, backupName(label, 'sqlite', createdAt)));
  try {
    let lastDone = 0;
    let restarted = false;
    const { totalPages } = await source.backup(pending.path, {
      progress({ totalPages, remainingPages }) {
        if (options.signal?.aborted === true) throw new BackupError('dump-failed', 'The backup was interrupted; no backup file was kept.');
        const done = totalPages - remainingPages;
        restarted ||= lastDone > 0 && done <= lastDone;
        lastDone = done;
        options.onProgress?.({ phase: 'copy', done, total: totalPages, unit: 'pages' });
        return restarted ? ALL_REMAINING_PAGES : PAGES_PER_STEP;
      },
    });
    options.onProgress?.({ phase: 'copy', done: totalPages, total: totalPages, unit: 'pages' });
    // node:sqlite copies in one step, with no progress call to stop at: an abort during it is honoured here.
    if (options.signal?.aborted === true) throw new BackupError('dump-failed', 'The backup was interrupted; no backup file was kept.');
    const contents = openAndInspect(pending.path, { selfContained: true, name: basename(pending.finalPath) });
    await pending.commit();
    const digest = await digestFile(pending.finalPath);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      engine: 'sqlite',
      label,
      createdAt: createdAt.toISOString(),
      file: basename(pending.finalPath),
      bytes: digest.bytes,
      sha256: digest.sha256,
      source: sourcePath,
      tool: `SQLite ${(source.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}`,
      tables: contents.tables,
      schema: contents.schema,
      schemaSha256: schemaDigest(contents.schema),
      durationMs: Math.round(performance.now() - started),
    };
    const manifestFile = await writeManifest(pending.finalPath, manifest);
    return { file: pending.finalPath, manifestFile, manifest };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError('dump-failed', `The SQLite backup of ${sourcePath} failed; no backup file was kept: ${(error as Error).message}`, { cause: error });
  } finally {
    await pending.discard();
    source.close();
  }
}

/** Restores (copies) the backup to a temp file, checks and reads it there, and deletes the copy. */
export async function restoreSqliteScratch(file: string): Promise<DatabaseContents> {
  const dir = await mkdtemp(join(tmpdir(), 'rampart-verify-'));
  const scratch = join(dir, 'restore.sqlite');
  try {
    await copyFile(file, scratch);
    await chmod(scratch, BACKUP_FILE_MODE);
    return openAndInspect(scratch, { selfContained: false, name: basename(file) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function openAndInspect(path: string, options: { selfContained: boolean; name: string }): DatabaseContents {
  let db: SqliteConnection;
  try {
    db = open(path, { fileMustExist: true });
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError('corrupt', `${options.name} cannot be opened as a SQLite database: ${(error as Error).message}`, { cause: error });
  }
  try {
    // A backup is one file: no -wal/-shm beside it, whatever mode the source used.
    if (options.selfContained) db.pragma('journal_mode = DELETE');
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new BackupError('corrupt', `SQLite integrity check failed for ${options.name}:\n${problems.slice(0, 6).join('\n')}`);
    }
    const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").pluck().all() as string[];
    const tables: Record<string, number> = {};
    for (const name of names) tables[name] = Number(db.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get());
    const schema = (
      db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql IS NOT NULL").all() as { type: string; name: string; sql: string }[]
    )
      .map((row) => `${row.type} ${row.name} ${row.sql.replace(/\s+/g, ' ').trim()}`)
      .sort();
    return { tables, schema };
  } catch (error) {
    if (error instanceof BackupError) throw error;
    // "file is not a database", "database disk image is malformed": SQLite's own words name the damage.
    throw new BackupError('corrupt', `${options.name} is not a readable SQLite database (truncated or corrupted): ${(error as Error).message}`, { cause: error });
  } finally {
    db.close();
  }
}
