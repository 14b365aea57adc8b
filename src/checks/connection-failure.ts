/**
 * Turns a driver's error into a fixed phrase for a check's `output`. Driver
 * messages carry hosts, ports, user names and file paths
 * (`connect ECONNREFUSED 10.0.3.7:5432`, `password authentication failed for
 * user "app"`), so only the error's code is read, and the phrase is chosen
 * from this list.
 */

const NETWORK: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNABORTED: 'connection aborted',
};

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_)/;

/** `{ phrase, kind }` where kind picks the remedy: where to look first. */
export interface Failure {
  readonly output: string;
  readonly kind: 'network' | 'auth' | 'missing' | 'tls' | 'timeout' | 'busy' | 'other';
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}

/** The innermost error that has a code: connection errors are often wrapped. */
function coded(error: unknown): unknown {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (codeOf(current) !== undefined) return current;
    current = (current as { cause?: unknown }).cause ?? (current as { lastNodeError?: unknown }).lastNodeError;
  }
  return error;
}

/** Errors every network driver shares: refused, unknown host, timeouts, TLS. */
export function networkFailure(error: unknown): Failure | undefined {
  const inner = coded(error);
  const code = codeOf(inner);
  if (code !== undefined && NETWORK[code] !== undefined) return { output: NETWORK[code] as string, kind: code === 'ETIMEDOUT' ? 'timeout' : 'network' };
  if (code !== undefined && TLS_CODES.test(code)) return { output: 'TLS certificate rejected', kind: 'tls' };
  const message = messageOf(inner);
  if (/timeout|timed out/i.test(message)) return { output: 'connection timed out', kind: 'timeout' };
  if (/does not support SSL|SSL connection/i.test(message)) return { output: 'TLS negotiation failed', kind: 'tls' };
  return undefined;
}

/** PostgreSQL SQLSTATE codes (Appendix A of its manual) worth a phrase of their own. */
const POSTGRES: Readonly<Record<string, Failure>> = {
  '28P01': { output: 'authentication failed', kind: 'auth' },
  '28000': { output: 'authentication failed', kind: 'auth' },
  '3D000': { output: 'database does not exist', kind: 'missing' },
  '42501': { output: 'permission denied', kind: 'auth' },
  '53300': { output: 'too many connections', kind: 'busy' },
  '57P03': { output: 'database is starting up', kind: 'busy' },
  '57P01': { output: 'server is shutting down', kind: 'busy' },
  '57014': { output: 'query cancelled by statement timeout', kind: 'timeout' },
};

export function postgresFailure(error: unknown): Failure {
  const code = codeOf(coded(error));
  return (code === undefined ? undefined : POSTGRES[code]) ?? networkFailure(error) ?? { output: 'connection failed', kind: 'other' };
}

export function redisFailure(error: unknown): Failure {
  const message = messageOf(error);
  // Redis replies start with an upper-case error code (NOAUTH, WRONGPASS, LOADING…).
  const reply = /^([A-Z]+)\b/.exec(message)?.[1];
  if (reply === 'NOAUTH' || reply === 'WRONGPASS' || reply === 'NOPERM') return { output: 'authentication failed', kind: 'auth' };
  if (reply === 'LOADING') return { output: 'Redis is loading its dataset', kind: 'busy' };
  if (reply === 'MASTERDOWN' || reply === 'CLUSTERDOWN') return { output: 'Redis is not serving (no primary)', kind: 'busy' };
  return networkFailure(error) ?? { output: 'connection failed', kind: 'other' };
}

/** SQLite's primary result codes, as node:sqlite reports them (`errcode`; extended codes carry more bits). */
const SQLITE_CODE_NAMES: Readonly<Record<number, string>> = { 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED', 8: 'SQLITE_READONLY', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT', 14: 'SQLITE_CANTOPEN', 26: 'SQLITE_NOTADB' };

/** SQLite error codes: better-sqlite3's `code` (`SQLITE_*`), or node:sqlite's numeric `errcode`. */
export function sqliteFailure(error: unknown): Failure {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  const code = (typeof errcode === 'number' ? SQLITE_CODE_NAMES[errcode & 0xff] : codeOf(error)) ?? '';
  if (code === 'SQLITE_CANTOPEN') return { output: 'cannot open the database file', kind: 'missing' };
  if (code === 'SQLITE_NOTADB') return { output: 'the file is not a SQLite database', kind: 'other' };
  if (code.startsWith('SQLITE_CORRUPT')) return { output: 'the database file is corrupt', kind: 'other' };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { output: 'the database is locked', kind: 'busy' };
  if (code.startsWith('SQLITE_READONLY')) return { output: 'the database is read-only', kind: 'auth' };
  if (code.startsWith('SQLITE_IOERR')) return { output: 'disk I/O error', kind: 'other' };
  return { output: 'database error', kind: 'other' };
}

/** `table users missing — run migrations: npm run migrate`, for one table or several. */
export function missingTablesRemedy(missing: readonly string[], migrateCommand: string): string {
  return `${missing.length === 1 ? 'table' : 'tables'} ${missing.join(', ')} missing — run migrations: ${migrateCommand}`;
}
