import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from './backup-error.js';
import { isPartial, MANIFEST_SUFFIX, parseBackupName, type Engine } from './backup-file.js';
import { readManifest } from './manifest.js';

export interface BackupEntry {
  readonly file: string;
  readonly label: string;
  readonly engine: Engine;
  readonly createdAt: Date;
  readonly bytes: number;
  /** False for a backup file whose manifest is missing (an interrupted run): it cannot be verified. */
  readonly complete: boolean;
}

export interface PruneOptions {
  readonly dir: string;
  /** Keep every backup younger than this many days. */
  readonly keepDays?: number;
  /** Keep this many newest backups per label, whatever their age. At least 1; default 1. */
  readonly keepLast?: number;
  /** Only prune backups with this label. Default: every label, each on its own. */
  readonly label?: string;
  readonly dryRun?: boolean;
  /** Default: now. */
  readonly now?: Date;
}

export interface PruneReport {
  readonly kept: readonly BackupEntry[];
  readonly deleted: readonly BackupEntry[];
  /** Leftovers of interrupted runs removed: partial files, lone manifests, backups without manifest. */
  readonly leftovers: readonly string[];
}

const DAY_MS = 86_400_000;
/** Leftovers younger than this may belong to a backup still running: never touch them. */
const LEFTOVER_GRACE_MS = DAY_MS;

/** Backups in `dir`, newest first. */
export async function listBackups(dir: string, label?: string): Promise<BackupEntry[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new BackupError('not-found', `Backup directory ${dir} does not exist.`);
    throw error;
  });
  const present = new Set(names);
  const entries: BackupEntry[] = [];
  for (const name of names) {
    const parsed = parseBackupName(name);
    if (parsed === undefined || (label !== undefined && parsed.label !== label)) continue;
    const file = join(dir, name);
    const complete = present.has(`${name}${MANIFEST_SUFFIX}`) && (await readManifest(file).then(() => true, () => false));
    entries.push({ file, label: parsed.label, engine: parsed.engine, createdAt: parsed.createdAt, bytes: (await stat(file)).size, complete });
  }
  return entries.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

/**
 * Deletes old backups: per label, a backup is kept when it is among the
 * `keepLast` newest complete ones OR younger than `keepDays`. Both rules
 * protect, neither deletes on its own, and the newest backup always stays.
 */
export async function pruneBackups(options: PruneOptions): Promise<PruneReport> {
  if (options.keepDays === undefined && options.keepLast === undefined) {
    throw new BackupError('invalid', 'prune needs --keep-days and/or --keep-last: it will not guess how much history you need.');
  }
  const keepLast = options.keepLast ?? 1;
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new BackupError('invalid', '--keep-last must be at least 1: prune never deletes every backup.');
  const keepDays = options.keepDays ?? 0;
  if (!Number.isFinite(keepDays) || keepDays < 0) throw new BackupError('invalid', '--keep-days must be zero or more.');
  const now = (options.now ?? new Date()).getTime();

  const entries = await listBackups(options.dir, options.label);
  const kept: BackupEntry[] = [];
  const deleted: BackupEntry[] = [];
  const seen = new Map<string, number>();
  const leftovers: string[] = [];
  for (const entry of entries) {
    const age = now - entry.createdAt.getTime();
    if (!entry.complete) {
      if (age > LEFTOVER_GRACE_MS) leftovers.push(entry.file);
      else kept.push(entry);
      continue;
    }
    const rank = seen.get(entry.label) ?? 0;
    seen.set(entry.label, rank + 1);
    if (rank < keepLast || age < keepDays * DAY_MS) kept.push(entry);
    else deleted.push(entry);
  }
  leftovers.push(...(await staleLeftovers(options.dir, now, options.label)));

  if (options.dryRun !== true) {
    // The data file first: a crash in between leaves a lone manifest, which the next prune removes.
    for (const entry of deleted) {
      await rm(entry.file, { force: true });
      await rm(`${entry.file}${MANIFEST_SUFFIX}`, { force: true });
    }
    for (const file of leftovers) await rm(file, { force: true });
  }
  return { kept, deleted, leftovers };
}

/** Partial files and manifests whose backup is gone, older than the grace period. */
async function staleLeftovers(dir: string, now: number, label: string | undefined): Promise<string[]> {
  const names = await readdir(dir);
  const present = new Set(names);
  const stale: string[] = [];
  for (const name of names) {
    const loneManifest = name.endsWith(MANIFEST_SUFFIX) && !present.has(name.slice(0, -MANIFEST_SUFFIX.length)) && parseBackupName(name.slice(0, -MANIFEST_SUFFIX.length)) !== undefined;
    const partial = isPartial(name) && name.startsWith('.') && parseBackupName(name.slice(1).replace(/\.partial-.*$/, '').replace(/\.manifest\.json$/, '')) !== undefined;
    if (!loneManifest && !partial) continue;
    if (label !== undefined && !name.replace(/^\./, '').startsWith(`${label}-`)) continue;
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > LEFTOVER_GRACE_MS) stale.push(join(dir, name));
  }
  return stale;
}
