import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BackupError } from './backup-error.js';

/** Backups hold every row of the database: readable by their owner only (like pg_dump's own advice). */
export const BACKUP_FILE_MODE = 0o600;
export const BACKUP_DIR_MODE = 0o700;

export type Engine = 'postgresql' | 'sqlite';

export const EXTENSIONS: Readonly<Record<Engine, string>> = { postgresql: '.pgdump', sqlite: '.sqlite' };
export const MANIFEST_SUFFIX = '.manifest.json';
const PARTIAL = '.partial-';

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** `<label>-20261124T061500.123Z.<ext>`: sorts by time, unique to the millisecond, no characters shells or Windows mind. */
const NAME = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})-(\d{8}T\d{6}\.\d{3}Z)(\.pgdump|\.sqlite)$/;

export function assertLabel(label: string): string {
  if (!LABEL.test(label)) throw new BackupError('invalid', `Invalid backup label "${label}": use letters, digits, "_" and "-" (at most 64).`);
  return label;
}

/** A label from a database or file name, with anything outside the label charset replaced. */
export function labelFrom(name: string): string {
  const cleaned = name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return cleaned === '' ? 'backup' : cleaned;
}

export function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

export function backupName(label: string, engine: Engine, date: Date): string {
  return `${assertLabel(label)}-${timestamp(date)}${EXTENSIONS[engine]}`;
}

export interface ParsedName {
  readonly label: string;
  readonly createdAt: Date;
  readonly engine: Engine;
}

export function parseBackupName(file: string): ParsedName | undefined {
  const match = NAME.exec(basename(file));
  if (match === null) return undefined;
  const iso = (match[2] as string).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/, '$1-$2-$3T$4:$5:$6');
  return { label: match[1] as string, createdAt: new Date(iso), engine: match[3] === '.pgdump' ? 'postgresql' : 'sqlite' };
}

export function manifestPath(backupFile: string): string {
  return `${backupFile}${MANIFEST_SUFFIX}`;
}

export function isPartial(file: string): boolean {
  return basename(file).includes(PARTIAL);
}

export async function ensureBackupDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: BACKUP_DIR_MODE });
}

/**
 * A file being written: created empty with mode 0600 before any byte lands
 * (so it is never readable by others, even briefly), under a name that
 * `prune` recognises as partial, and renamed to its final name only once
 * complete and flushed to disk. A crash leaves a `.partial-` file, never a
 * truncated backup under a final name.
 */
export class PendingFile {
  readonly path: string;
  readonly finalPath: string;
  #done = false;

  private constructor(finalPath: string) {
    this.finalPath = finalPath;
    this.path = join(dirname(finalPath), `.${basename(finalPath)}${PARTIAL}${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  static async create(finalPath: string): Promise<PendingFile> {
    const pending = new PendingFile(finalPath);
    const handle = await open(pending.path, 'wx', BACKUP_FILE_MODE);
    await handle.close();
    // The process umask cannot widen 0600, but chmod makes the mode explicit whatever created the file next.
    await chmod(pending.path, BACKUP_FILE_MODE);
    return pending;
  }

  /** Flushes the data, refuses to replace an existing backup, renames into place and flushes the directory entry. */
  async commit(): Promise<void> {
    await chmod(this.path, BACKUP_FILE_MODE);
    await fsyncPath(this.path);
    const exists = await stat(this.finalPath).then(() => true, () => false);
    if (exists) throw new BackupError('invalid', `${this.finalPath} already exists; refusing to overwrite a backup.`);
    await rename(this.path, this.finalPath);
    this.#done = true;
    await fsyncPath(dirname(this.finalPath));
  }

  /** Removes the partial file unless it was committed. Safe to call twice. */
  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await rm(this.path, { force: true });
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** SHA-256 and size of a file, streamed. */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}
