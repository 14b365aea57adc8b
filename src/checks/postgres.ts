import { Socket } from 'node:net';
import type { Secret } from '../secrets/secret.js';
import { DEFAULT_CHECK_TIMEOUT_MS, type Check, type CheckResult } from './check.js';
import { missingTablesRemedy, postgresFailure, type Failure } from './connection-failure.js';

/** What the check needs from a `pg.Client` or a client checked out of a `pg.Pool`. */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** What the check needs from a `pg.Pool`. */
export interface PostgresPoolLike {
  connect(): Promise<PostgresQueryable & { release(destroy?: boolean | Error): void }>;
}

export interface PostgresCheckOptions {
  /**
   * A connection URL (a `Secret` from the configuration, or a string). Each
   * run opens one connection and closes it. Give this or `pool`.
   */
  url?: Secret | string;
  /** An application's `pg.Pool`: each run checks a client out and releases it (destroyed if the run times out). */
  pool?: PostgresPoolLike;
  /** Tables (optionally `schema.table`) that must exist: the migrations ran. */
  tables?: readonly string[];
  /** Default `postgres:connection`. */
  name?: string;
  /** Default true. */
  critical?: boolean;
  /** Default 2000 ms; the connection is torn down when it runs out. */
  timeoutMs?: number;
  /** Reuse a result for this long (readiness probes). Default 0. */
  cacheMs?: number;
  /** The setting the URL came from, named in remedies. Default `DATABASE_URL`. */
  setting?: string;
  /** Shown in the remedy for missing tables. Default `npm run migrate`. */
  migrateCommand?: string;
}

interface PgModule {
  Client: new (config: Record<string, unknown>) => PostgresQueryable & {
    connect(): Promise<unknown>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): unknown;
  };
}

/**
 * Is PostgreSQL reachable (and, with `tables`, migrated)? Runs `SELECT 1`,
 * then looks the tables up with `to_regclass`, which follows the
 * `search_path` as the application's queries will. Outputs are fixed
 * phrases: never a host, a user name or a driver message. Needs `pg`.
 *
 * @example
 * postgresCheck({ url: config.DATABASE_URL, tables: ['users', 'sessions'] })
 */
export function postgresCheck(options: PostgresCheckOptions): Check {
  if ((options.url === undefined) === (options.pool === undefined)) throw new TypeError('postgresCheck needs exactly one of url or pool.');
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const tables = Object.freeze([...(options.tables ?? [])]);
  const setting = options.setting ?? 'DATABASE_URL';
  const migrateCommand = options.migrateCommand ?? 'npm run migrate';

  async function verify(client: PostgresQueryable): Promise<CheckResult> {
    await client.query('SELECT 1');
    if (tables.length === 0) return { status: 'pass', output: 'connected' };
    const { rows } = await client.query('SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL', [tables]);
    const missing = rows.map((row) => (row as { name: string }).name);
    if (missing.length === 0) return { status: 'pass', output: `${tables.length} required table${tables.length === 1 ? '' : 's'} present` };
    return { status: 'fail', output: `${missing.length} of ${tables.length} required tables missing`, remedy: missingTablesRemedy(missing, migrateCommand) };
  }

  function failed(error: unknown): CheckResult {
    const failure = postgresFailure(error);
    return { status: 'fail', output: failure.output, remedy: remedyFor(failure, setting) };
  }

  async function viaUrl(signal: AbortSignal): Promise<CheckResult> {
    const { Client } = await loadPg();
    const url = options.url as Secret | string;
    // Our own socket, so an abort can destroy it: pg's end() says goodbye
    // politely and waits, leaving a half-open socket to a hung server.
    let socket: Socket | undefined;
    const client = new Client({
      connectionString: typeof url === 'string' ? url : url.reveal(),
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: 'rampart-check',
      stream: () => (socket = new Socket()),
    });
    client.on('error', () => undefined); // A dropped connection is reported through the query, not as a crash.
    const abort = (): void => {
      socket?.destroy();
      void client.end().catch(() => undefined);
    };
    signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
      return await verify(client);
    } catch (error) {
      return failed(error);
    } finally {
      signal.removeEventListener('abort', abort);
      if (!signal.aborted) await client.end().catch(() => undefined);
    }
  }

  async function viaPool(signal: AbortSignal): Promise<CheckResult> {
    let client: Awaited<ReturnType<PostgresPoolLike['connect']>>;
    try {
      client = await (options.pool as PostgresPoolLike).connect();
    } catch (error) {
      return failed(error);
    }
    if (signal.aborted) {
      client.release(true);
      return { status: 'fail', output: 'timed out' };
    }
    let released = false;
    const abort = (): void => {
      released = true;
      client.release(true); // Destroy it: the stuck query must not go back into the pool.
    };
    signal.addEventListener('abort', abort, { once: true });
    try {
      return await verify(client);
    } catch (error) {
      return failed(error);
    } finally {
      signal.removeEventListener('abort', abort);
      if (!released) client.release();
    }
  }

  return Object.freeze({
    name: options.name ?? 'postgres:connection',
    critical: options.critical ?? true,
    timeoutMs,
    cacheMs: options.cacheMs ?? 0,
    run: (signal: AbortSignal) => (options.pool === undefined ? viaUrl(signal) : viaPool(signal)),
  });
}

async function loadPg(): Promise<PgModule> {
  // Optional peer dependency: loaded only when a URL check runs.
  const module = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
  return module.default ?? module;
}

function remedyFor(failure: Failure, setting: string): string {
  switch (failure.kind) {
    case 'auth':
      return `check the user and password in ${setting}, and the role's privileges`;
    case 'missing':
      return `create the database, or fix its name in ${setting}`;
    case 'tls':
      return `check the sslmode in ${setting} and the server's certificate`;
    case 'busy':
      return 'wait for PostgreSQL to accept connections, or raise max_connections';
    case 'timeout':
    case 'network':
    case 'other':
      return `check ${setting} and that PostgreSQL is running and reachable`;
  }
}
