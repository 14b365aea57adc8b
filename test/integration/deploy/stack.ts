import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderNginxConfig } from '../../../src/deploy/nginx.js';

/**
 * A deployment on loopback, for the deploy-kit tests: reference-service
 * instances as child processes (`examples/service/main.ts`, configured only
 * through the environment, as systemd would), and Debian's nginx running a
 * generated config from a temp prefix.
 */
const root = new URL('../../../', import.meta.url).pathname;

import { freePort } from '../../support/free-port.js';

export { freePort };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` is true, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** GET over plain HTTP to 127.0.0.1, no keep-alive; resolves with the status, or 0 when the connection fails. */
export function plainGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end();
  });
}

export class ServiceInstance {
  readonly port: number;
  readonly name: string;
  /** Every JSON log line the instance wrote, across restarts. */
  readonly lines: Record<string, unknown>[] = [];
  /** Everything the instance wrote to stderr, across restarts. */
  stderr = '';
  #child: ChildProcess | undefined;
  readonly #env: Record<string, string>;
  #partial = '';
  #migrated = false;

  constructor(name: string, port: number, env: Record<string, string>) {
    this.name = name;
    this.port = port;
    this.#env = env;
  }

  /** Starts the process and resolves once `/ready` answers 200. The first start applies migrations first, as a deploy does. */
  async start(): Promise<void> {
    if (!this.#migrated) {
      const migrated = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'examples/service/migrate.ts')], {
        cwd: root,
        env: { ...process.env, ...this.#env },
        encoding: 'utf8',
      });
      if (migrated.status !== 0) throw new Error(`${this.name}: npm run migrate failed:\n${migrated.stderr}`);
      this.#migrated = true;
    }
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(root, 'examples/service/main.ts')], {
      cwd: root,
      env: { ...process.env, ...this.#env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#collect(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${this.name} exited with ${code} before it was ready:\n${this.stderr.slice(-2000)}`))));
    exited.catch(() => undefined);
    await Promise.race([waitFor(`${this.name} to be ready`, async () => (await plainGet(this.port, '/ready')).status === 200, 30_000), exited]);
  }

  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child?.exitCode ?? null);
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    });
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** The process id while it runs (to read its memory from /proc). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** True once the process ended by itself (a crash), not by `stop()`. */
  get crashed(): boolean {
    const child = this.#child;
    return child !== undefined && (child.exitCode !== null || child.signalCode !== null);
  }

  /** Access-log lines ("request completed"), optionally only after line index `from`. */
  accessLines(from = 0): Record<string, unknown>[] {
    return this.lines.slice(from).filter((line) => line['msg'] === 'request completed');
  }

  #collect(chunk: string): void {
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) {
      if (!part.startsWith('{')) continue; // the startup report and banner are for humans
      try {
        this.lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // a partial write of a non-JSON line
      }
    }
  }
}

/** Environment for a production instance behind the generated nginx. */
export function productionEnv(dataDir: string, name: string, trustProxy: string): Record<string, string> {
  return {
    APP_ENV: 'production',
    NODE_ENV: 'production',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    DATABASE_URL: `sqlite:${join(dataDir, `${name}.sqlite`)}`,
    TRUST_PROXY: trustProxy,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // The tests drive thousands of API requests from one client address; the
    // service's per-client API limits would (rightly) refuse most of them.
    RATE_LIMIT_API_MINUTE: 'off',
    RATE_LIMIT_API_HOUR: 'off',
  };
}

/** nginx in the foreground with a config under `prefix`; stopped with SIGQUIT (graceful). */
export class Nginx {
  #child: ChildProcess | undefined;
  readonly prefix: string;
  readonly config: string;

  constructor(prefix: string, config: string) {
    this.prefix = prefix;
    this.config = config;
  }

  test(): { ok: boolean; output: string } {
    const result = spawnSync('nginx', ['-t', '-p', this.prefix, '-c', this.config, '-e', join(this.prefix, 'error.log')], { encoding: 'utf8' });
    return { ok: result.status === 0, output: result.stderr };
  }

  async start(httpsPort: number): Promise<void> {
    this.#child = spawn('nginx', ['-p', this.prefix, '-c', this.config, '-e', join(this.prefix, 'error.log'), '-g', 'daemon off;'], { stdio: 'ignore' });
    await waitFor('nginx to listen', () => portOpen(httpsPort), 10_000);
  }

  stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGQUIT');
    });
  }
}

function portOpen(port: number): Promise<boolean> {
  return plainGet(port, '/').then((result) => result.status !== 0);
}

export interface HttpsResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The raw header list, to count repeated headers. */
  readonly rawHeaders: string[];
}

/**
 * An HTTPS client as a user on another machine would be: it trusts only the
 * test CA, sends SNI `localhost`, and connects from 127.0.0.2 (or
 * `localAddress`) so its address differs from nginx's own (127.0.0.1).
 */
export class Client {
  readonly #agent: Agent;
  readonly #port: number;

  constructor(ca: string, port: number, options: { keepAlive?: boolean; maxSockets?: number; localAddress?: string } = {}) {
    this.#port = port;
    this.#agent = new Agent({ ca, keepAlive: options.keepAlive ?? false, maxSockets: options.maxSockets ?? 8, localAddress: options.localAddress ?? '127.0.0.2', servername: 'localhost' });
  }

  get(path: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer): Promise<HttpsResult> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port: this.#port, path, method, headers: { host: `localhost:${this.#port}`, ...headers }, agent: this.#agent, timeout: 15_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, rawHeaders: res.rawHeaders }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export interface LoadResult {
  readonly ok: number;
  readonly failures: readonly string[];
}

/**
 * A bounded load: `concurrency` keep-alive clients looping GETs until stopped,
 * `maxRequests` are sent, or `maxMs` pass — whichever comes first.
 */
export function startLoad(client: Client, path: (n: number) => string, limits: { concurrency: number; maxRequests: number; maxMs: number; pauseMs: number }): { stop(): Promise<LoadResult>; readonly sent: number } {
  let stopped = false;
  let sent = 0;
  let ok = 0;
  const failures: string[] = [];
  const deadline = Date.now() + limits.maxMs;
  const worker = async (): Promise<void> => {
    while (!stopped && sent < limits.maxRequests && Date.now() < deadline) {
      const n = sent++;
      try {
        const result = await client.get(path(n));
        if (result.status === 200) ok++;
        else failures.push(`#${n}: ${result.status} ${result.body.slice(0, 200)}`);
      } catch (error) {
        failures.push(`#${n}: ${(error as Error).message}`);
      }
      if (limits.pauseMs > 0) await sleep(limits.pauseMs);
    }
  };
  const workers = Array.from({ length: limits.concurrency }, worker);
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      await Promise.all(workers);
      return { ok, failures };
    },
  };
}

/** The installed nginx's version, for version-dependent directives (`nginx -v` writes to stderr). */
export function nginxVersion(): string {
  return /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)?.[1] ?? '1.22.0';
}

/** nginx with a config generated by `rampart deploy nginx` for `upstreams` instances, on free ports, under `dir`. */
export async function generatedNginx(dir: string, pki: { certFile: string; keyFile: string }, upstreams: number, failTimeoutSeconds: number) {
  const [httpPort, httpsPort, ...upstreamPorts] = (await Promise.all(Array.from({ length: upstreams + 2 }, () => freePort()))) as [number, number, ...number[]];
  const prefix = join(dir, 'nginx');
  mkdirSync(prefix);
  const config = renderNginxConfig({
    serverNames: ['localhost'],
    upstreams: upstreamPorts.map((port) => `127.0.0.1:${port}`),
    certificate: pki.certFile,
    certificateKey: pki.keyFile,
    listen: ['127.0.0.1'],
    httpPort,
    httpsPort,
    failTimeoutSeconds,
    nginxVersion: nginxVersion(),
    standalone: { prefix },
  });
  writeFileSync(join(prefix, 'nginx.conf'), config.text);
  return { nginx: new Nginx(prefix, join(prefix, 'nginx.conf')), config, httpPort, httpsPort, upstreamPorts };
}
