import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort, waitUntil } from './free-port.js';

const REDIS_SERVER = '/usr/bin/redis-server';

/** Whether a Redis answers PING on a loopback port. */
export function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

/**
 * A redis-server of the test's own, on a free loopback port, in a temporary
 * directory, without persistence: for tests that stop and restart Redis. The
 * shared Redis on 6379 is never touched.
 *
 * @example
 * const redis = await PrivateRedis.start(t); after(() => redis.destroy());
 */
export class PrivateRedis {
  readonly port: number;
  readonly #dir: string;
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /**
   * Starts one, or skips the test loudly (fails under CI=true) when
   * redis-server is not installed. Without a test context (a suite's
   * `before`), a missing redis-server throws.
   */
  static async start(t?: TestContext): Promise<PrivateRedis | undefined> {
    if (!existsSync(REDIS_SERVER)) {
      const message = `${REDIS_SERVER} is not installed (apt-get install -y redis-server)`;
      if (process.env['CI'] === 'true' || t === undefined) throw new Error(message);
      console.warn(`\n!!! SKIPPED: ${message}\n`);
      t.skip(message);
      return undefined;
    }
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'rampart-redis-')));
    await redis.resume();
    return redis;
  }

  /** Starts the server (again) on the same port. */
  async resume(): Promise<void> {
    if (this.#child !== undefined) return;
    this.#child = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir], { stdio: 'ignore' });
    this.#child.once('exit', () => (this.#child = undefined));
    await waitUntil(() => pong(this.port), `redis-server on ${this.port}`);
  }

  /** Stops the server and waits until the port refuses connections. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as a hung Redis. */
  freeze(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void {
    this.#child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    this.thaw();
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
