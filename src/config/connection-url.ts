import { isIP } from 'node:net';
import { REDACTED } from '../log/redact.js';

/** The kinds of connection URL Rampart knows how to judge. */
export type ConnectionKind = 'postgres' | 'redis' | 'sqlite';

export const CONNECTION_PROTOCOLS: Readonly<Record<ConnectionKind, readonly string[]>> = {
  postgres: ['postgres:', 'postgresql:'],
  redis: ['redis:', 'rediss:', 'valkey:', 'valkeys:'],
  // Not `file:`: URL parsing turns `file:./data/x` into `file:///data/x`, losing the relative path.
  sqlite: ['sqlite:'],
};

/**
 * libpq `sslmode` values that refuse to talk in plaintext. `prefer` and
 * `allow` fall back to plaintext when the server offers no TLS, so an
 * attacker in the path simply offers none (libpq docs, §34.19.3).
 */
const POSTGRES_TLS_MODES = new Set(['require', 'verify-ca', 'verify-full']);

export interface ConnectionTransport {
  /** Local file or loopback/unix-socket host: nothing crosses a network. */
  readonly local: boolean;
  /** The connection refuses plaintext. */
  readonly tls: boolean;
}

/** Whether a parsed connection URL stays local or, if not, insists on TLS. */
export function connectionTransport(url: URL): ConnectionTransport {
  const protocol = url.protocol;
  if (CONNECTION_PROTOCOLS.sqlite.includes(protocol)) return { local: true, tls: false };
  if (CONNECTION_PROTOCOLS.postgres.includes(protocol)) {
    // libpq reads `host` from the query string too; a path there is a unix socket.
    const host = url.searchParams.get('host') ?? url.hostname;
    const mode = url.searchParams.get('sslmode');
    const ssl = url.searchParams.get('ssl');
    return { local: isLocalHost(host), tls: (mode !== null && POSTGRES_TLS_MODES.has(mode)) || (mode === null && (ssl === 'true' || ssl === '1')) };
  }
  if (CONNECTION_PROTOCOLS.redis.includes(protocol)) {
    return { local: isLocalHost(url.hostname), tls: protocol === 'rediss:' || protocol === 'valkeys:' };
  }
  return { local: isLocalHost(url.hostname), tls: protocol === 'https:' || protocol === 'wss:' };
}

/** Loopback names and addresses, unix socket paths, and no host at all (the driver's local default). */
export function isLocalHost(host: string): boolean {
  const bare = decodeURIComponent(host).replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === '' || bare.startsWith('/')) return true;
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  const family = isIP(bare);
  if (family === 4) return bare.startsWith('127.');
  if (family === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

/** The URL with any password replaced, for reports: `postgres://app:[redacted]@db:5432/app`. */
export function maskConnectionUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return REDACTED;
  }
  if (url.password !== '') url.password = 'REDACTED_MARK';
  let masked = url.href.replace('REDACTED_MARK', REDACTED);
  for (const key of ['password', 'pass', 'sslpassword', 'token']) {
    if (url.searchParams.has(key)) masked = masked.replace(new RegExp(`([?&]${key}=)[^&#]*`), `$1${REDACTED}`);
  }
  return masked;
}

/**
 * The file a `sqlite:` URL names, for `better-sqlite3` and `sqliteCheck`:
 * `sqlite:./data/app.sqlite` or `sqlite:data/app.sqlite` (relative to the
 * working directory), `sqlite:/var/lib/app.sqlite` (absolute), SQLAlchemy's
 * `sqlite:///relative.db` and `sqlite:////absolute.db`, and `sqlite::memory:`.
 * Query strings (`?mode=ro`) are dropped. Undefined for a non-`sqlite:` URL.
 */
export function sqlitePath(url: string | { reveal(): string }): string | undefined {
  const raw = (typeof url === 'string' ? url : url.reveal()).trim();
  if (!raw.toLowerCase().startsWith('sqlite:')) return undefined;
  let rest = decodeURIComponent(raw.slice('sqlite:'.length).replace(/[?#].*$/, ''));
  if (rest.startsWith('////')) rest = rest.slice(3);
  else if (rest.startsWith('///')) rest = rest.slice(3);
  else if (rest.startsWith('//')) rest = rest.slice(2);
  return rest === '' ? ':memory:' : rest;
}
