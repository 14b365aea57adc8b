import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { openSqlite, type SqliteConnection } from 'rampart';
import { MIGRATIONS } from './migrations.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** One query layer over SQLite (embedded default) or PostgreSQL. Every query is parameterized by Kysely. */
export interface ServiceDatabase {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Database>;
  /** The raw handle, for health checks and backups. */
  readonly sqlite?: SqliteConnection;
  readonly pool?: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens `url`: `postgres://…`/`postgresql://…` for PostgreSQL, `sqlite:<path>`
 * or a bare file path for SQLite (the directory is created on first start).
 */
export function openDatabase(url: string): ServiceDatabase {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30_000 });
    // An idle client's error (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    // A client checked out of the pool has no pool listener: when its connection
    // drops mid-query ("Connection terminated unexpectedly"), node-postgres
    // emits 'error' on it, which would crash the process. The query itself
    // rejects with the error (answered 503), and the pool discards the broken
    // client when it is released.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, pool, close: () => db.destroy() };
  }
  const path = url.replace(/^sqlite:(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // node:sqlite on Node 24+, better-sqlite3 before (see openSqlite).
  const sqlite = openSqlite(path);
  // WAL lets readers proceed during a write; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kind: 'sqlite', db, sqlite, close: () => db.destroy() };
}

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(database: ServiceDatabase): Promise<string[]> {
  const { error, results } = await migrator(database.db).migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Migrations not yet applied: a non-empty list means `npm run migrate` is due. */
export async function pendingMigrations(database: ServiceDatabase): Promise<string[]> {
  const migrations = await migrator(database.db).getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}

/** Cheap liveness of the connection, for readiness. */
export async function ping(database: ServiceDatabase): Promise<void> {
  await sql`select 1`.execute(database.db);
}
