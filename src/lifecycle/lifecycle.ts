import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { invalidOption } from '../errors/option-error.js';
import { ConnectionDrain } from './connection-drain.js';
import { applyServerTimeouts, resolveServerTimeouts, type ServerTimeouts } from './server-timeouts.js';

export interface ShutdownOptions {
  /** Signals that start a graceful shutdown once a server is attached. Default `['SIGTERM', 'SIGINT']`; `[]` leaves signals to you. */
  signals?: readonly NodeJS.Signals[];
  /**
   * After readiness turns 503, keep serving this long before closing the
   * listener, so load balancers see the failing probe and stop routing here
   * (Kubernetes removes the endpoint asynchronously). Default 5000 in staging
   * and production, 0 in development and test.
   */
  delayMs?: number;
  /** After the listener closes, in-flight requests get this long to finish; then the rest are cut and the exit code is 1. Default 25000. */
  drainTimeoutMs?: number;
  /** Each close hook gets this long. Default 5000. */
  hookTimeoutMs?: number;
  /** Log, report and shut down gracefully on `uncaughtException` / `unhandledRejection`. Default true. */
  handleUncaught?: boolean;
  /** Node server timeouts set on attached servers; `false` keeps the server's own. See `ServerTimeouts` for defaults. */
  timeouts?: ServerTimeouts | false;
  /** Ends the process with the exit code. Default `process.exit`. */
  exit?: (code: number) => void;
}

export type CloseHook = () => unknown;

/** What the lifecycle needs from the rest of Rampart. */
export interface LifecycleDeps {
  readonly logger: Logger;
  readonly productionLike: boolean;
  /** Readiness turns 503. */
  readonly markDraining: () => void;
  /** Reports an unhandled error to the error tracker. */
  readonly report: (error: unknown, kind: 'uncaughtException' | 'unhandledRejection') => void;
  /** Closes Rampart itself (timers, admin server, error tracker flush, logs). */
  readonly closeRampart: () => Promise<void>;
  readonly flushLogs: () => void;
}

const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Graceful shutdown. On SIGTERM/SIGINT (or `shutdown()`): readiness turns
 * 503 at once; after `delayMs` the listener closes; responses carry
 * `Connection: close` and idle keep-alive connections are closed; in-flight
 * requests get `drainTimeoutMs`; close hooks run in reverse order of
 * registration; logs are flushed; the process exits 0 — or 1 when the
 * deadline cut requests, a hook failed, or a second signal came.
 */
export class Lifecycle {
  readonly #deps: LifecycleDeps;
  readonly #signals: readonly NodeJS.Signals[];
  readonly #delayMs: number;
  readonly #drainTimeoutMs: number;
  readonly #hookTimeoutMs: number;
  readonly #handleUncaught: boolean;
  readonly #timeouts: ReturnType<typeof resolveServerTimeouts>;
  readonly #exit: (code: number) => void;
  readonly #drains: ConnectionDrain[] = [];
  readonly #hooks: { name: string; hook: CloseHook }[] = [];
  readonly #listeners: [string, (...args: never[]) => void][] = [];
  #shutdown: Promise<number> | undefined;
  #draining = false;

  constructor(options: ShutdownOptions, deps: LifecycleDeps) {
    if (typeof options !== 'object' || options === null) throw invalidOption('shutdown', 'an object', options);
    this.#deps = deps;
    this.#signals = options.signals ?? DEFAULT_SIGNALS;
    if (!Array.isArray(this.#signals) || !this.#signals.every((signal) => typeof signal === 'string' && /^SIG[A-Z0-9]+$/.test(signal))) {
      throw invalidOption('shutdown.signals', 'a list of signal names', options.signals);
    }
    this.#delayMs = milliseconds('shutdown.delayMs', options.delayMs, deps.productionLike ? 5000 : 0);
    this.#drainTimeoutMs = milliseconds('shutdown.drainTimeoutMs', options.drainTimeoutMs, 25_000);
    this.#hookTimeoutMs = milliseconds('shutdown.hookTimeoutMs', options.hookTimeoutMs, 5000);
    this.#handleUncaught = options.handleUncaught ?? true;
    if (typeof this.#handleUncaught !== 'boolean') throw invalidOption('shutdown.handleUncaught', 'a boolean', options.handleUncaught);
    this.#timeouts = resolveServerTimeouts(options.timeouts);
    if (options.exit !== undefined && typeof options.exit !== 'function') throw invalidOption('shutdown.exit', 'a function', options.exit);
    this.#exit = options.exit ?? ((code) => process.exit(code));
  }

  /** True from the moment shutdown starts: responses then carry `Connection: close`. */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Takes charge of a `node:http`/`node:https` server (Fastify: `app.server`):
   * sets its timeouts, tracks its connections for draining, and installs the
   * signal and unhandled-error handlers (once). The Fastify adapter calls it
   * when the app listens.
   */
  attach(server?: Server): this {
    if (server !== undefined) {
      if (typeof server !== 'object' || server === null || typeof server.on !== 'function') throw invalidOption('server', 'a node:http Server', server);
      if (this.#timeouts !== false) applyServerTimeouts(server, this.#timeouts);
      this.#drains.push(new ConnectionDrain(server));
    }
    if (this.#listeners.length === 0) this.#installProcessHandlers();
    return this;
  }

  /** Registers a hook run at shutdown (close pools, flush queues); hooks run in reverse order of registration. */
  onClose(hook: CloseHook, name = hook.name || `hook ${this.#hooks.length + 1}`): this {
    if (typeof hook !== 'function') throw invalidOption('onClose', 'a function', hook);
    this.#hooks.push({ name, hook });
    return this;
  }

  /** Requests in flight on attached servers. */
  get inFlight(): number {
    return this.#drains.reduce((sum, drain) => sum + drain.inFlight, 0);
  }

  /** Runs the shutdown sequence once; later calls return the same promise. Resolves with the exit code. */
  shutdown(reason = 'shutdown requested', exitCode = 0): Promise<number> {
    return (this.#shutdown ??= this.#run(reason, exitCode));
  }

  async #run(reason: string, initialCode: number): Promise<number> {
    const log = this.#deps.logger;
    const started = performance.now();
    let code = initialCode;
    this.#draining = true;
    this.#deps.markDraining();
    log.info({ reason, delayMs: this.#delayMs, drainTimeoutMs: this.#drainTimeoutMs, inFlight: this.inFlight }, 'shutdown started: readiness now fails');
    if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));

    const inFlight = this.inFlight;
    log.info({ inFlight }, 'closing listeners; draining in-flight requests');
    const drained = await Promise.all(this.#drains.map((drain) => drain.drain(this.#drainTimeoutMs)));
    if (drained.includes(false)) {
      code = 1;
      log.error({ drainTimeoutMs: this.#drainTimeoutMs }, 'drain deadline passed: remaining connections were closed');
    }

    for (const { name, hook } of [...this.#hooks].reverse()) {
      const ok = await this.#runHook(name, hook);
      if (!ok) code = 1;
    }
    try {
      await this.#deps.closeRampart();
    } catch (error) {
      code = 1;
      log.error({ err: error }, 'closing Rampart failed');
    }
    log.info({ exitCode: code, durationMs: Math.round(performance.now() - started) }, 'shutdown complete');
    this.#deps.flushLogs();
    this.#exit(code);
    return code;
  }

  async #runHook(name: string, hook: CloseHook): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.#hookTimeoutMs);
      });
      const result = await Promise.race([Promise.resolve().then(hook), timeout]);
      if (result === 'timeout') {
        this.#deps.logger.error({ hook: name, hookTimeoutMs: this.#hookTimeoutMs }, 'close hook timed out');
        return false;
      }
      return true;
    } catch (error) {
      this.#deps.logger.error({ hook: name, err: error }, 'close hook failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  #installProcessHandlers(): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (this.#shutdown !== undefined) {
        this.#deps.logger.error({ signal }, 'second signal during shutdown: exiting now');
        this.#deps.flushLogs();
        this.#exit(1);
        return;
      }
      void this.shutdown(signal);
    };
    for (const signal of this.#signals) this.#listen(signal, onSignal);
    if (!this.#handleUncaught) return;
    const onError = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
      this.#deps.logger.fatal({ err: error, kind }, kind === 'uncaughtException' ? 'uncaught exception' : 'unhandled promise rejection');
      this.#deps.report(error, kind);
      // The process may be in an unknown state: finish what is in flight, then leave with 1.
      void this.shutdown(kind, 1);
    };
    this.#listen('uncaughtException', onError('uncaughtException'));
    this.#listen('unhandledRejection', onError('unhandledRejection'));
  }

  #listen(event: string, listener: (...args: never[]) => void): void {
    process.on(event as 'SIGTERM', listener as () => void);
    this.#listeners.push([event, listener]);
  }

  /** Removes the process handlers (Rampart's `close()` calls this). */
  detach(): void {
    for (const [event, listener] of this.#listeners) process.off(event as 'SIGTERM', listener as () => void);
    this.#listeners.length = 0;
  }
}

function milliseconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidOption(option, 'a non-negative integer of milliseconds', value);
  return value;
}
