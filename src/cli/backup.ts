import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError, type BackupProgress } from '../backup/backup-error.js';
import type { BackupResult } from '../backup/manifest.js';
import { backupPostgres } from '../backup/postgres.js';
import { listBackups, pruneBackups } from '../backup/prune.js';
import { backupSqlite } from '../backup/sqlite.js';
import { verifyBackup, type VerifyReport } from '../backup/verify.js';
import { sqlitePath } from '../config/connection-url.js';
import type { Command } from './commands.js';

const USAGE = `Usage: rampart backup <create|verify|prune|list> [options]

rampart backup create [--database URL | --sqlite FILE] [--dir DIR] [--label NAME] [--verify]
  PostgreSQL: pg_dump custom format (compressed) inside one snapshot; SQLite: the online backup API.
  Files are mode 0600, named <label>-<UTC time>.pgdump|.sqlite, with a .manifest.json of every
  table's row count and the schema. Nothing is left under the final name if the run fails.
  --database URL      default: $DATABASE_URL_FILE's contents, then $DATABASE_URL
                      (postgres://… or sqlite:/path, as in Rampart's configuration)
  --sqlite FILE       back up this SQLite database instead
  --dir DIR           default ./backups (created with mode 0700)
  --verify            verify the new backup right away (see below)

rampart backup verify FILE [--database URL] [--no-manifest]
  Checks size and SHA-256, restores into a scratch database (PostgreSQL: a new database beside
  --database, dropped afterwards; SQLite: a temp file) and compares row counts and schema with
  the manifest.

rampart backup prune --dir DIR [--keep-days N] [--keep-last M] [--label NAME] [--dry-run]
  Keeps, per label, the M newest backups and every backup younger than N days; deletes the rest
  and leftovers of interrupted runs older than a day. The newest backup is never deleted.

rampart backup list --dir DIR [--label NAME]

Common: --pg-bin DIR (where pg_dump/pg_restore live), --quiet (no progress), --json`;

const OPTIONS = {
  database: { type: 'string' },
  sqlite: { type: 'string' },
  dir: { type: 'string' },
  label: { type: 'string' },
  verify: { type: 'boolean' },
  'no-manifest': { type: 'boolean' },
  'keep-days': { type: 'string' },
  'keep-last': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'pg-bin': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
}

export const command: Command = {
  summary: 'Back up PostgreSQL or SQLite, prove backups restore, and prune old ones',
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === undefined || action === '--help' || action === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return action === undefined ? 64 : 0;
    }
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const { values, positionals } = parse(rest);
      if (values.help === true) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
      }
      switch (action) {
        case 'create':
          return await create(values, controller.signal);
        case 'verify':
          return await verify(values, positionals, controller.signal);
        case 'prune':
          return await prune(values);
        case 'list':
          return await list(values);
        default:
          process.stderr.write(`rampart backup: unknown action "${action}"\n\n${USAGE}\n`);
          return 64;
      }
    } catch (error) {
      const usage = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
      const reason = error instanceof BackupError ? '' : ' (unexpected)';
      process.stderr.write(`rampart backup: ${error instanceof Error ? error.message : String(error)}${reason}\n`);
      return usage ? 64 : 1;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

async function create(values: Values, signal: AbortSignal): Promise<number> {
  const dir = resolve(values.dir ?? 'backups');
  const onProgress = progressPrinter(values);
  const common = { dir, signal, ...(values.label === undefined ? {} : { label: values.label }), ...(onProgress === undefined ? {} : { onProgress }) };
  if (values.sqlite !== undefined && values.database !== undefined) throw usage('pass either --database or --sqlite, not both');
  const url = values.sqlite === undefined ? databaseUrl(values) : undefined;
  // DATABASE_URL=sqlite:/var/lib/app/data.sqlite, as Rampart's configuration accepts it.
  const sqliteFile = values.sqlite ?? sqlitePath(url as string);
  if (sqliteFile === ':memory:') throw usage('DATABASE_URL names an in-memory SQLite database: there is nothing on disk to back up');
  const result: BackupResult =
    sqliteFile !== undefined
      ? await backupSqlite({ ...common, file: sqliteFile })
      : await backupPostgres({ ...common, url: url as string, ...(values['pg-bin'] === undefined ? {} : { pgBin: values['pg-bin'] }) });
  const { manifest } = result;
  const rows = Object.values(manifest.tables).reduce((sum, count) => sum + count, 0);
  if (values.json !== true) {
    process.stderr.write(
      `backup written: ${result.file}\n  ${formatBytes(manifest.bytes)}, ${Object.keys(manifest.tables).length} tables, ${rows} rows, sha256 ${manifest.sha256.slice(0, 16)}…, ${manifest.durationMs} ms\n`,
    );
  }
  let report: VerifyReport | undefined;
  if (values.verify === true) report = await runVerify(result.file, values, signal);
  if (values.json === true) process.stdout.write(`${JSON.stringify({ file: result.file, manifest: result.manifestFile, ...(report === undefined ? {} : { verify: report }) }, null, 2)}\n`);
  return report === undefined || report.ok ? 0 : 1;
}

async function verify(values: Values, positionals: string[], signal: AbortSignal): Promise<number> {
  if (positionals.length !== 1) throw usage('verify takes one backup file');
  const report = await runVerify(resolve(positionals[0] as string), values, signal);
  if (values.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? 0 : 1;
}

async function runVerify(file: string, values: Values, signal: AbortSignal): Promise<VerifyReport> {
  const onProgress = progressPrinter(values);
  const given = values.database ?? optionalDatabaseUrl();
  // Only a PostgreSQL server can host the scratch restore of a PostgreSQL backup.
  const url = given === undefined || sqlitePath(given) !== undefined ? undefined : given;
  const report = await verifyBackup(file, {
    signal,
    allowMissingManifest: values['no-manifest'] === true,
    ...(url === undefined ? {} : { url }),
    ...(values['pg-bin'] === undefined ? {} : { pgBin: values['pg-bin'] }),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  if (values.json !== true) {
    if (report.ok) {
      const what = report.compared ? 'row counts and schema match the manifest' : 'restored (no manifest: nothing to compare)';
      process.stderr.write(`verify OK: ${file}\n  ${report.tables} tables, ${report.rows} rows restored; ${what}; ${report.durationMs} ms\n`);
    } else {
      process.stderr.write(`verify FAILED: ${file}\n${report.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
    }
  }
  return report;
}

async function prune(values: Values): Promise<number> {
  if (values.dir === undefined) throw usage('prune needs --dir');
  const report = await pruneBackups({
    dir: resolve(values.dir),
    dryRun: values['dry-run'] === true,
    ...(values['keep-days'] === undefined ? {} : { keepDays: count('--keep-days', values['keep-days']) }),
    ...(values['keep-last'] === undefined ? {} : { keepLast: count('--keep-last', values['keep-last']) }),
    ...(values.label === undefined ? {} : { label: values.label }),
  });
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ kept: report.kept.map((e) => e.file), deleted: report.deleted.map((e) => e.file), leftovers: report.leftovers }, null, 2)}\n`);
    return 0;
  }
  const verb = values['dry-run'] === true ? 'would delete' : 'deleted';
  for (const entry of report.deleted) process.stderr.write(`${verb} ${entry.file}\n`);
  for (const file of report.leftovers) process.stderr.write(`${verb} leftover ${file}\n`);
  process.stderr.write(`kept ${report.kept.length} backups, ${verb} ${report.deleted.length} (+${report.leftovers.length} leftovers)\n`);
  return 0;
}

async function list(values: Values): Promise<number> {
  if (values.dir === undefined) throw usage('list needs --dir');
  const entries = await listBackups(resolve(values.dir), values.label);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  for (const entry of entries) {
    process.stdout.write(`${entry.createdAt.toISOString()}  ${formatBytes(entry.bytes).padStart(9)}  ${entry.engine.padEnd(10)}  ${entry.complete ? '' : '(no manifest) '}${entry.file}\n`);
  }
  if (entries.length === 0) process.stderr.write('no backups\n');
  return 0;
}

function databaseUrl(values: Values): string {
  const url = values.database ?? optionalDatabaseUrl();
  if (url === undefined) throw usage('name the database: --database postgres://…, --sqlite FILE, or DATABASE_URL / DATABASE_URL_FILE in the environment');
  return url;
}

/** `DATABASE_URL_FILE` (a mounted secret) wins over `DATABASE_URL`, as in Rampart's configuration. */
function optionalDatabaseUrl(): string | undefined {
  const file = process.env['DATABASE_URL_FILE'];
  if (file !== undefined && file !== '') {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new BackupError('not-found', `DATABASE_URL_FILE names ${file}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
  }
  const url = process.env['DATABASE_URL'];
  return url === '' ? undefined : url;
}

/** Progress on stderr: one updating line on a terminal, a line every few seconds in a log. */
function progressPrinter(values: Values): ((progress: BackupProgress) => void) | undefined {
  if (values.quiet === true || values.json === true) return undefined;
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastPhase = '';
  return (progress) => {
    const now = Date.now();
    const finished = progress.done === progress.total;
    if (!tty && progress.phase === lastPhase && !finished && now - last < 2000) return;
    if (tty && !finished && now - last < 100) return;
    last = now;
    lastPhase = progress.phase;
    const percent = progress.total === 0 ? 100 : Math.floor((progress.done / progress.total) * 100);
    const text = `${progress.phase} ${progress.done}/${progress.total} ${progress.unit} (${percent}%)${progress.detail === undefined ? '' : ` ${progress.detail}`}`;
    process.stderr.write(tty ? `\r\u001b[K${text}${finished ? '\n' : ''}` : `${text}\n`);
  };
}

function count(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) throw usage(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}

function usage(message: string): Error {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_USAGE' });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
