import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './free-port.js';

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root)
    .filter((entry) => existsSync(join(root, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return version === undefined ? undefined : join(root, version, 'bin');
}

function postgresUid(): { uid: number; gid: number } | undefined {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const group = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0 || group.status !== 0) return undefined;
  return { uid: Number(result.stdout.trim()), gid: Number(group.stdout.trim()) };
}

/**
 * A PostgreSQL cluster of the test's own: `initdb` and `pg_ctl` run as the
 * `postgres` user (`runuser -u postgres --`) in a temporary directory, on a
 * free loopback port, trust authentication. For tests that stop and restart
 * the database; the shared server on 5432 is never touched.
 *
 * @example
 * const pg = await PrivatePostgres.start(t); after(() => pg?.destroy());
 */
export class PrivatePostgres {
  readonly port: number;
  readonly #bin: string;
  readonly #dir: string;
  #running = false;

  private constructor(port: number, bin: string, dir: string) {
    this.port = port;
    this.#bin = bin;
    this.#dir = dir;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates and starts a cluster, or skips the test loudly (fails under CI=true) when PostgreSQL's binaries or user are missing. */
  static async start(t: TestContext): Promise<PrivatePostgres | undefined> {
    const bin = binDir();
    const owner = postgresUid();
    if (bin === undefined || owner === undefined) {
      const message = 'PostgreSQL server binaries or the postgres user are missing (apt-get install -y postgresql)';
      if (process.env['CI'] === 'true') throw new Error(message);
      console.warn(`\n!!! SKIPPED: ${message}\n`);
      t.skip(message);
      return undefined;
    }
    const dir = mkdtempSync(join(tmpdir(), 'rampart-pg-'));
    chownSync(dir, owner.uid, owner.gid);
    const pg = new PrivatePostgres(await freePort(), bin, dir);
    pg.#asPostgres('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    pg.resume();
    return pg;
  }

  #asPostgres(tool: string, args: readonly string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', join(this.#bin, tool), ...args], { stdio: 'pipe', cwd: this.#dir });
  }

  #asPostgresAsync(tool: string, args: readonly string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile('runuser', ['-u', 'postgres', '--', join(this.#bin, tool), ...args], { cwd: this.#dir }, (error) => (error === null ? resolve() : reject(error)));
    });
  }

  get #startArgs(): string[] {
    const options = `-p ${this.port} -k ${this.#dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    return ['-D', join(this.#dir, 'data'), '-o', options, '-l', join(this.#dir, 'server.log'), '-w', '-t', '30', 'start'];
  }

  get #stopArgs(): string[] {
    return ['-D', join(this.#dir, 'data'), '-m', 'immediate', '-w', 'stop'];
  }

  /** Starts the server (again) and waits until it accepts connections. */
  resume(): void {
    if (this.#running) return;
    this.#asPostgres('pg_ctl', this.#startArgs);
    this.#running = true;
  }

  /** Stops the server at once (`-m immediate`: connections are cut, as in a crash). */
  stop(): void {
    if (!this.#running) return;
    this.#asPostgres('pg_ctl', this.#stopArgs);
    this.#running = false;
  }

  /** `resume()` without blocking the event loop, for tests that keep a load running meanwhile. */
  async resumeAsync(): Promise<void> {
    if (this.#running) return;
    await this.#asPostgresAsync('pg_ctl', this.#startArgs);
    this.#running = true;
  }

  /** `stop()` without blocking the event loop. */
  async stopAsync(): Promise<void> {
    if (!this.#running) return;
    await this.#asPostgresAsync('pg_ctl', this.#stopArgs);
    this.#running = false;
  }

  /**
   * Freezes the postmaster (SIGSTOP): new connections are accepted by the
   * kernel and never answered, as a hung database. Backends already
   * connected keep running.
   */
  freeze(): void {
    this.#signalPostmaster('SIGSTOP');
  }

  /** Lets a frozen postmaster run again (SIGCONT). */
  thaw(): void {
    this.#signalPostmaster('SIGCONT');
  }

  #signalPostmaster(signal: NodeJS.Signals): void {
    if (!this.#running) return;
    const pid = Number(readFileSync(join(this.#dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, signal);
  }

  destroy(): void {
    this.thaw();
    try {
      this.stop();
    } finally {
      rmSync(this.#dir, { recursive: true, force: true });
    }
  }
}
