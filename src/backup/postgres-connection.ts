import type * as Pg from 'pg';
import type { Client } from 'pg';
import { BackupError } from './backup-error.js';

/** A PostgreSQL URL split so the password never reaches a command line (`ps` shows those) or a message. */
export interface DatabaseUrl {
  /** For the `pg` client. */
  readonly full: string;
  /** For pg_dump/pg_restore `--dbname`: the URL without its password. */
  readonly withoutPassword: string;
  /** Passed to the tools as PGPASSWORD. */
  readonly password: string | undefined;
  /** `postgres://user@host:5432/db`, for messages and manifests. */
  readonly redacted: string;
  readonly database: string;
}

export function parseDatabaseUrl(text: string): DatabaseUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BackupError('invalid', 'The database URL is not a URL (expected postgres://user:password@host:5432/database).');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new BackupError('invalid', `The database URL must start with postgres:// or postgresql://, not ${url.protocol}//.`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') throw new BackupError('invalid', 'The database URL names no database (postgres://host:5432/<database>).');
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const bare = new URL(url.href);
  bare.password = '';
  const redacted = new URL(bare.href);
  redacted.search = '';
  return { full: url.href, withoutPassword: bare.href, password, redacted: redacted.href, database };
}

/** The same server and credentials, another database. */
export function withDatabase(url: DatabaseUrl, database: string): DatabaseUrl {
  const next = new URL(url.full);
  next.pathname = `/${encodeURIComponent(database)}`;
  return parseDatabaseUrl(next.href);
}

type PgModule = typeof Pg;

async function loadPg(): Promise<PgModule> {
  try {
    const module = (await import('pg')) as PgModule & { default?: PgModule };
    return module.default ?? module;
  } catch (error) {
    throw new BackupError('driver-missing', 'PostgreSQL backups need the "pg" package: npm install pg', { cause: error });
  }
}

const NETWORK_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running and listening on that address?)',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
};

/** Connects, or fails with a message naming the server (never the password) and the likely cause. */
export async function connect(url: DatabaseUrl): Promise<Client> {
  const pg = await loadPg();
  const client = new pg.Client({ connectionString: url.full, connectionTimeoutMillis: 10_000, application_name: 'rampart-backup' });
  // An idle-session kill or a server restart mid-backup surfaces here, not as an uncaught exception.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    const code = (error as { code?: string }).code;
    const reason = (code !== undefined && NETWORK_REASONS[code]) || (error instanceof Error ? error.message.replaceAll(url.password ?? '\u0000', '***') : String(error));
    throw new BackupError('unreachable', `Cannot connect to PostgreSQL at ${url.redacted}: ${reason}`, { cause: error });
  }
}

/** `150020` → 15. */
export async function serverMajor(client: Client): Promise<{ major: number; version: string }> {
  const { rows } = await client.query<{ num: string; version: string }>("SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version");
  const row = rows[0] as { num: string; version: string };
  return { major: Math.floor(Number(row.num) / 10_000), version: row.version.split(' ')[0] as string };
}
