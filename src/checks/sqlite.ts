import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_CHECK_TIMEOUT_MS, type Check, type CheckResult } from './check.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import { missingTablesRemedy, sqliteFailure } from './connection-failure.js';

/** What the check needs from an open database (better-sqlite3's, or Rampart's `openSqlite`). */
export interface SqliteDatabaseLike {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
}

export interface SqliteCheckOptions {
  /** The database file (or `:memory:`). Each run opens it and closes it. Give this or `database`. */
  path?: string;
  /** An application's open database (`better-sqlite3`, or `openSqlite()`). */
  database?: SqliteDatabaseLike;
  /**
   * Create the file (and its directory) when it is missing, as the app
   * itself would on first start. Default false: a missing file fails, since
   * in production it usually means a wrong path or an unmounted volume.
   */
  create?: boolean;
  /** Tables that must exist: the migrations ran. */
  tables?: readonly string[];
  /** Default `sqlite:connection`. */
  name?: string;
  /** Default true. */
  critical?: boolean;
  /** Default 2000 ms; also SQLite's busy timeout when the file is locked. */
  timeoutMs?: number;
  cacheMs?: number;
  /** Shown in the remedy for missing tables. Default `npm run migrate`. */
  migrateCommand?: string;
}

/**
 * Can the SQLite database be opened and read (and, with `tables`, is it
 * migrated)? Reads the schema version, which fails on a file that is not a
 * database, then looks the tables up in `sqlite_schema`. SQLite calls are
 * synchronous and local; a locked file is bounded by the busy timeout.
 * Opens a path with `openSqlite()`: `node:sqlite` on Node 24+, else `better-sqlite3`.
 *
 * @example
 * sqliteCheck({ path: './data/app.sqlite', tables: ['users'] })
 */
export function sqliteCheck(options: SqliteCheckOptions): Check {
  if ((options.path === undefined) === (options.database === undefined)) throw new TypeError('sqliteCheck needs exactly one of path or database.');
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const tables = Object.freeze([...(options.tables ?? [])]);
  const migrateCommand = options.migrateCommand ?? 'npm run migrate';

  function verify(database: SqliteDatabaseLike): CheckResult {
    database.prepare('PRAGMA schema_version').get();
    if (tables.length === 0) return { status: 'pass', output: 'readable' };
    const statement = database.prepare("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?");
    const missing = tables.filter((table) => statement.get(table) === undefined);
    if (missing.length === 0) return { status: 'pass', output: `${tables.length} required table${tables.length === 1 ? '' : 's'} present` };
    return { status: 'fail', output: `${missing.length} of ${tables.length} required tables missing`, remedy: missingTablesRemedy(missing, migrateCommand) };
  }

  async function run(signal: AbortSignal): Promise<CheckResult> {
    if (options.database !== undefined) return guarded(() => verify(options.database as SqliteDatabaseLike), migrateCommand);
    const path = options.path as string;
    if (signal.aborted) return { status: 'fail', output: 'timed out' };
    return guarded(() => {
      const memory = path === ':memory:' || path === '';
      if (options.create === true && !memory) mkdirSync(dirname(path), { recursive: true });
      const database = openSqlite(path, { fileMustExist: options.create !== true && !memory, timeout: timeoutMs });
      try {
        return verify(database);
      } finally {
        database.close();
      }
    }, migrateCommand);
  }

  return Object.freeze({ name: options.name ?? 'sqlite:connection', critical: options.critical ?? true, timeoutMs, cacheMs: options.cacheMs ?? 0, run });
}

function guarded(work: () => CheckResult, migrateCommand: string): CheckResult {
  try {
    return work();
  } catch (error) {
    const failure = sqliteFailure(error);
    const missingFile = failure.kind === 'missing' || /does not exist/.test((error as Error | undefined)?.message ?? '');
    if (missingFile) return { status: 'fail', output: 'database file not found', remedy: `check the path, or create the database: ${migrateCommand}` };
    return { status: 'fail', output: failure.output, remedy: failure.kind === 'busy' ? 'another process holds a write lock; retry or find it' : 'check the database file and its permissions' };
  }
}
