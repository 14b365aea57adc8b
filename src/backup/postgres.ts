import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { BackupError, type ProgressListener } from './backup-error.js';
import { backupName, digestFile, ensureBackupDir, labelFrom, PendingFile } from './backup-file.js';
import { MANIFEST_FORMAT, schemaDigest, writeManifest, type BackupResult, type DatabaseContents, type Manifest } from './manifest.js';
import { connect, parseDatabaseUrl, serverMajor, withDatabase, type DatabaseUrl } from './postgres-connection.js';
import { inspect } from './postgres-inspect.js';
import { errorLines, runTool, toolPath, toolVersion } from './tools.js';

export interface PostgresBackupOptions {
  /** `postgres://user:password@host:5432/database`. */
  readonly url: string;
  readonly dir: string;
  /** Default: the database name. */
  readonly label?: string;
  /** Directory holding pg_dump/pg_restore. Default: the PATH. */
  readonly pgBin?: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/** pg_dump's default zlib level for the custom format, written out so the manifest's claim is explicit. */
const COMPRESSION_LEVEL = '6';

/**
 * `pg_dump -Fc` inside an exported snapshot: the row counts and schema in the
 * manifest are read in the very transaction the dump reads, so they describe
 * the backup exactly even while the application keeps writing.
 */
export async function backupPostgres(options: PostgresBackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const url = parseDatabaseUrl(options.url);
  const tool = await toolVersion('pg_dump', options.pgBin);
  const client = await connect(url);
  let pending: PendingFile | undefined;
  try {
    const server = await serverMajor(client);
    if (tool.major < server.major) {
      throw new BackupError(
        'tool-too-old',
        `${tool.line} cannot dump a PostgreSQL ${server.major} server (pg_dump must be at least the server's major version). ` +
          `Install postgresql-client-${server.major} or pass --pg-bin /usr/lib/postgresql/${server.major}/bin.`,
      );
    }
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const { rows } = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const snapshot = rows[0]?.snapshot as string;
    const contents = await inspect(client, options.onProgress);

    await ensureBackupDir(options.dir);
    const createdAt = new Date();
    const label = options.label ?? labelFrom(url.database);
    pending = await PendingFile.create(join(options.dir, backupName(label, 'postgresql', createdAt)));
    const total = Object.keys(contents.tables).length;
    let dumped = 0;
    const result = await runTool(
      toolPath('pg_dump', options.pgBin),
      ['--format=custom', `--compress=${COMPRESSION_LEVEL}`, `--snapshot=${snapshot}`, '--no-password', '--verbose', `--file=${pending.path}`, `--dbname=${url.withoutPassword}`],
      { PGPASSWORD: url.password, PGAPPNAME: 'rampart-backup' },
      (line) => {
        const table = /dumping contents of table "([^"]+)"/.exec(line)?.[1];
        if (table !== undefined) options.onProgress?.({ phase: 'dump', done: dumped++, total, unit: 'tables', detail: table });
      },
      options.signal,
    );
    if (options.signal?.aborted === true) throw new BackupError('dump-failed', 'The backup was interrupted; no backup file was kept.');
    if (result.code !== 0) throw new BackupError('dump-failed', `pg_dump failed (exit ${result.code}); no backup file was kept:\n${errorLines(result.stderrTail)}`);
    options.onProgress?.({ phase: 'dump', done: total, total, unit: 'tables' });
    await client.query('COMMIT');

    await pending.commit();
    const digest = await digestFile(pending.finalPath);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      engine: 'postgresql',
      label,
      createdAt: createdAt.toISOString(),
      file: basename(pending.finalPath),
      bytes: digest.bytes,
      sha256: digest.sha256,
      source: url.redacted,
      tool: tool.line,
      serverVersion: server.version,
      tables: contents.tables,
      schema: contents.schema,
      schemaSha256: schemaDigest(contents.schema),
      durationMs: Math.round(performance.now() - started),
    };
    const manifestFile = await writeManifest(pending.finalPath, manifest);
    return { file: pending.finalPath, manifestFile, manifest };
  } finally {
    await pending?.discard();
    await client.end().catch(() => undefined);
  }
}

export interface PostgresRestoreOptions {
  /** Any database on the server to restore into: the scratch database is created beside it. */
  readonly url: string;
  readonly pgBin?: string;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

/**
 * Restores a dump into a new scratch database on the server, reads its
 * contents the same way the backup's were read, and drops it — whatever
 * happens in between.
 */
export async function restorePostgresScratch(file: string, options: PostgresRestoreOptions): Promise<DatabaseContents> {
  const url = parseDatabaseUrl(options.url);
  await toolVersion('pg_restore', options.pgBin);
  const listed = await runTool(toolPath('pg_restore', options.pgBin), ['--list', file], {}, undefined, options.signal);
  if (listed.code !== 0) {
    throw new BackupError('corrupt', `${basename(file)} is not a readable pg_dump archive (truncated or corrupted):\n${errorLines(listed.stderrTail)}`);
  }
  // The archive's table of contents: one "TABLE DATA" entry per table whose rows it holds.
  const tableCount = listed.stdout.split('\n').filter((line) => / TABLE DATA /.test(line)).length;
  const admin = await connect(url);
  const scratch = `rampart_verify_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  let created = false;
  try {
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(scratch)} TEMPLATE template0`);
      created = true;
    } catch (error) {
      throw new BackupError('restore-failed', `Cannot create the scratch database on ${url.redacted}: ${(error as Error).message}. The user needs the CREATEDB privilege.`, { cause: error });
    }
    const target: DatabaseUrl = withDatabase(url, scratch);
    let restored = 0;
    const result = await runTool(
      toolPath('pg_restore', options.pgBin),
      ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', '--no-password', '--verbose', `--dbname=${target.withoutPassword}`, file],
      { PGPASSWORD: target.password, PGAPPNAME: 'rampart-backup-verify' },
      (line) => {
        const table = /processing data for table "([^"]+)"/.exec(line)?.[1];
        if (table !== undefined) options.onProgress?.({ phase: 'restore', done: restored++, total: tableCount, unit: 'tables', detail: table });
      },
      options.signal,
    );
    if (result.code !== 0) {
      // The table of contents sits at the start of the archive, so a truncated file lists fine and fails here.
      const damaged = /could not read from input file|unexpected end of file|corrupt|invalid compressed data|bad file/i.test(result.stderrTail);
      throw new BackupError(
        damaged ? 'corrupt' : 'restore-failed',
        `pg_restore could not restore ${basename(file)} (exit ${result.code})${damaged ? ': the file is truncated or corrupted' : ''}:\n${errorLines(result.stderrTail)}`,
      );
    }
    options.onProgress?.({ phase: 'restore', done: tableCount, total: tableCount, unit: 'tables' });
    const client = await connect(target);
    try {
      await client.query('BEGIN READ ONLY');
      const contents = await inspect(client);
      await client.query('COMMIT');
      return contents;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    if (created) await dropScratch(admin, scratch);
    await admin.end().catch(() => undefined);
  }
}

async function dropScratch(admin: Awaited<ReturnType<typeof connect>>, scratch: string): Promise<void> {
  const name = admin.escapeIdentifier(scratch);
  // WITH (FORCE) (PostgreSQL 13+) ends a session pg_restore may have left behind.
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => admin.query(`DROP DATABASE IF EXISTS ${name}`));
}
