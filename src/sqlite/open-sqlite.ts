import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** A prepared statement, with the better-sqlite3 surface Rampart and the reference service use. */
export interface SqliteStatement {
  /** Whether it returns rows (a SELECT, a PRAGMA that reads). */
  readonly reader: boolean;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** The same statement returning each row's first column instead of the row. */
  pluck(): SqliteStatement;
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** An open SQLite database, with the better-sqlite3 surface Rampart and the reference service use. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  /** `PRAGMA <source>`, its rows. */
  pragma(source: string): unknown[];
  exec(sql: string): void;
  close(): void;
  /** SQLite's online backup to `destination`; `progress` returns the pages to copy in the next step. */
  backup(destination: string, options?: { progress?: (info: BackupProgress) => number }): Promise<BackupProgress>;
}

export interface OpenSqliteOptions {
  readonly?: boolean;
  /** Fail (SQLITE_CANTOPEN) rather than create a missing file. */
  fileMustExist?: boolean;
  /** Busy timeout, ms. */
  timeout?: number;
}

/** Which library opens databases in this process. */
export const SQLITE_DRIVER: 'node:sqlite' | 'better-sqlite3' = Number(process.versions.node.split('.')[0]) >= 24 ? 'node:sqlite' : 'better-sqlite3';

/**
 * Opens a SQLite database with Node's own `node:sqlite` on Node 24 and later,
 * else with `better-sqlite3` (an optional peer dependency).
 *
 * Why two: better-sqlite3 12 aborts the process on Node 24 when its
 * statements are finalized after Node has torn its environment down (at
 * every exit, sometimes during GC; WiseLibs/better-sqlite3#1515), and 13,
 * which fixes it, crashes on Node 20. `node:sqlite` is built in and stable
 * enough on 24; on 20 and 22 better-sqlite3 12 is the proven choice.
 */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): SqliteConnection {
  return SQLITE_DRIVER === 'node:sqlite' ? openWithNodeSqlite(path, options) : openWithBetterSqlite3(path, options);
}

type BetterSqlite3 = new (path: string, options?: OpenSqliteOptions) => SqliteConnection;

function openWithBetterSqlite3(path: string, options: OpenSqliteOptions): SqliteConnection {
  let Database: BetterSqlite3;
  try {
    Database = createRequire(import.meta.url)('better-sqlite3') as BetterSqlite3;
  } catch (error) {
    throw Object.assign(new Error('SQLite needs the "better-sqlite3" package on Node before 24: npm install better-sqlite3', { cause: error }), { code: 'RAMPART_SQLITE_DRIVER_MISSING' });
  }
  return new Database(path, options);
}

interface NodeStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  iterate(...params: unknown[]): IterableIterator<unknown>;
  columns(): unknown[];
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean; timeout?: number }) => NodeDatabase;
  backup(source: NodeDatabase, destination: string, options?: { rate?: number; progress?: (info: BackupProgress) => void }): Promise<number>;
}

const SQLITE_CANTOPEN = 14;

function openWithNodeSqlite(path: string, options: OpenSqliteOptions): SqliteConnection {
  const sqlite = process.getBuiltinModule('node:sqlite') as NodeSqliteModule;
  const memory = path === ':memory:' || path === '';
  if (options.fileMustExist === true && !memory && !existsSync(path)) {
    throw Object.assign(new Error('unable to open database file'), { code: 'ERR_SQLITE_ERROR', errcode: SQLITE_CANTOPEN });
  }
  const db = new sqlite.DatabaseSync(path, { readOnly: options.readonly === true, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
  return {
    prepare: (sql) => statement(db.prepare(sql), false),
    pragma: (source) => db.prepare(`PRAGMA ${source}`).all(),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    async backup(destination, backupOptions = {}) {
      let last: BackupProgress = { totalPages: 0, remainingPages: 0 };
      // node:sqlite copies a fixed number of pages per step: all at once here,
      // one read transaction (in WAL mode it never blocks the app's writers).
      const totalPages = await sqlite.backup(db, destination, {
        rate: 0x7fffffff,
        progress(info) {
          last = info;
          backupOptions.progress?.(info);
        },
      });
      return { totalPages: Math.max(totalPages, last.totalPages), remainingPages: 0 };
    },
  };
}

/** better-sqlite3's calling convention over a node:sqlite statement: one array argument binds its items. */
function statement(inner: NodeStatement, plucked: boolean): SqliteStatement {
  const args = (params: unknown[]): unknown[] => (params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params);
  const first = (row: unknown): unknown => (row === undefined || row === null ? row : Object.values(row as object)[0]);
  return {
    reader: inner.columns().length > 0,
    get: (...params) => (plucked ? first(inner.get(...args(params))) : inner.get(...args(params))),
    all: (...params) => (plucked ? inner.all(...args(params)).map(first) : inner.all(...args(params))),
    run: (...params) => inner.run(...args(params)),
    iterate: (...params) => inner.iterate(...args(params)),
    pluck: () => statement(inner, true),
  };
}
