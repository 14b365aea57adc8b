import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BackupError } from './backup-error.js';
import { manifestPath, PendingFile, type Engine } from './backup-file.js';

export const MANIFEST_FORMAT = 'rampart-backup/1';

/**
 * What a backup contained when it was taken, written beside it. `verify`
 * restores the backup and compares against this, so it needs no access to
 * the source database, which may have changed since.
 */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly engine: Engine;
  readonly label: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The backup's file name (same directory as the manifest). */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Where it came from, without credentials: `postgres://user@host:5432/db` or a file path. */
  readonly source: string;
  /** `pg_dump (PostgreSQL) 15.20`, `SQLite 3.50.4`. */
  readonly tool: string;
  readonly serverVersion?: string;
  /** Rows per table (`schema.table` for PostgreSQL), counted inside the same snapshot the backup was taken from. */
  readonly tables: Readonly<Record<string, number>>;
  /** One canonical line per schema object (columns, constraints, indexes, views, triggers), sorted. */
  readonly schema: readonly string[];
  readonly schemaSha256: string;
  readonly durationMs: number;
}

/** What a database holds: rows per table and one canonical line per schema object. */
export interface DatabaseContents {
  readonly tables: Record<string, number>;
  readonly schema: string[];
}

export interface BackupResult {
  readonly file: string;
  readonly manifestFile: string;
  readonly manifest: Manifest;
}

export function schemaDigest(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

export async function writeManifest(backupFile: string, manifest: Manifest): Promise<string> {
  const pending = await PendingFile.create(manifestPath(backupFile));
  try {
    await writeFile(pending.path, `${JSON.stringify(manifest, null, 2)}\n`);
    await pending.commit();
    return pending.finalPath;
  } finally {
    await pending.discard();
  }
}

export async function readManifest(backupFile: string): Promise<Manifest | undefined> {
  const path = manifestPath(backupFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BackupError('corrupt', `${basename(path)} is not valid JSON: the manifest was damaged.`);
  }
  const manifest = parsed as Partial<Manifest>;
  const valid =
    manifest.format === MANIFEST_FORMAT &&
    (manifest.engine === 'postgresql' || manifest.engine === 'sqlite') &&
    typeof manifest.sha256 === 'string' &&
    typeof manifest.bytes === 'number' &&
    typeof manifest.tables === 'object' &&
    manifest.tables !== null &&
    Array.isArray(manifest.schema);
  if (!valid) throw new BackupError('corrupt', `${basename(path)} is not a ${MANIFEST_FORMAT} manifest.`);
  return manifest as Manifest;
}

/** Differences between what a backup held and what its restore holds; empty when they match. */
export function compareContents(
  expected: { readonly tables: Readonly<Record<string, number>>; readonly schema: readonly string[] },
  actual: { readonly tables: Readonly<Record<string, number>>; readonly schema: readonly string[] },
): string[] {
  const problems: string[] = [];
  for (const [table, rows] of Object.entries(expected.tables)) {
    const restored = actual.tables[table];
    if (restored === undefined) problems.push(`table ${table} is missing from the restore`);
    else if (restored !== rows) problems.push(`table ${table} has ${restored} rows after restore, ${rows} when backed up`);
  }
  for (const table of Object.keys(actual.tables)) {
    if (!Object.hasOwn(expected.tables, table)) problems.push(`table ${table} appears in the restore but was not in the backup`);
  }
  const restoredSchema = new Set(actual.schema);
  const backedUpSchema = new Set(expected.schema);
  const missing = expected.schema.filter((line) => !restoredSchema.has(line));
  const extra = actual.schema.filter((line) => !backedUpSchema.has(line));
  for (const line of missing.slice(0, 5)) problems.push(`schema object missing after restore: ${line}`);
  for (const line of extra.slice(0, 5)) problems.push(`schema object not in the backup: ${line}`);
  const more = missing.length + extra.length - Math.min(missing.length, 5) - Math.min(extra.length, 5);
  if (more > 0) problems.push(`…and ${more} more schema differences`);
  return problems;
}
