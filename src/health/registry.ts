import { runCheck, type Check, type CheckResult, type CheckStatus } from '../checks/check.js';
import { invalidOption } from '../errors/option-error.js';

/** One check's last result, as the health report shows it. */
export interface CheckReport extends CheckResult {
  readonly name: string;
  readonly critical: boolean;
  readonly durationMs: number;
  /** When the check ran (ISO 8601); older than now when the result came from the cache. */
  readonly time: string;
}

export interface HealthReport {
  /** `fail` when not started, draining, or a critical check fails; `warn` when a check warns. */
  readonly status: CheckStatus;
  /** Why readiness fails, safe for clients: `starting`, `draining`, `check failed`. */
  readonly reason?: 'starting' | 'draining' | 'check failed';
  readonly checks: readonly CheckReport[];
}

interface Entry {
  readonly check: Check;
  readonly critical: boolean;
  cached: CheckReport | undefined;
  cachedAt: number;
  running: Promise<CheckReport> | undefined;
}

const NAME = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/;

/**
 * The checks readiness depends on. Runs them concurrently, each under its
 * own timeout (a hung dependency fails its check, never the probe), reuses a
 * result for the check's `cacheMs`, and shares one run between concurrent
 * probes so a burst of probes is one round of dependency calls.
 */
export class HealthRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #onResult: (report: CheckReport) => void;
  readonly #now: () => number;
  #started: boolean;
  #draining = false;

  constructor(options: { started: boolean; onResult?: (report: CheckReport) => void; now?: () => number }) {
    this.#started = options.started;
    this.#onResult = options.onResult ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  /** Adds a check. Names are `component:measurement` and unique. */
  add(check: Check): this {
    if (typeof check !== 'object' || check === null || typeof check.run !== 'function') throw invalidOption('health.checks[]', 'a Check ({ name, run(signal) })', check);
    if (typeof check.name !== 'string' || !NAME.test(check.name)) throw invalidOption('health.checks[].name', 'a "component:measurement" name', check.name);
    if (this.#entries.has(check.name)) throw invalidOption('health.checks[].name', 'a name not already registered', check.name);
    for (const key of ['timeoutMs', 'cacheMs'] as const) {
      const value = check[key];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw invalidOption(`health.checks[${check.name}].${key}`, 'a non-negative number of milliseconds', value);
    }
    this.#entries.set(check.name, { check, critical: check.critical !== false, cached: undefined, cachedAt: 0, running: undefined });
    return this;
  }

  remove(name: string): boolean {
    return this.#entries.delete(name);
  }

  get names(): string[] {
    return [...this.#entries.keys()];
  }

  /** Whether startup is complete (see `HealthOptions.awaitStartup`). */
  get started(): boolean {
    return this.#started;
  }

  /** Marks startup complete: readiness may pass from now on. */
  markStarted(): void {
    this.#started = true;
  }

  /** Graceful shutdown began: readiness fails from now on, liveness does not. */
  markDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Runs (or reuses) every check and folds them into one status. */
  async report(): Promise<HealthReport> {
    const checks = await Promise.all([...this.#entries.values()].map((entry) => this.#result(entry)));
    let status: CheckStatus = 'pass';
    for (const check of checks) {
      if (check.status === 'fail' && check.critical) status = 'fail';
      else if (check.status !== 'pass' && status === 'pass') status = 'warn';
    }
    const reason = !this.#started ? 'starting' : this.#draining ? 'draining' : status === 'fail' ? 'check failed' : undefined;
    if (reason === 'starting' || reason === 'draining') status = 'fail';
    return reason === undefined ? { status, checks } : { status, reason, checks };
  }

  #result(entry: Entry): Promise<CheckReport> {
    const cacheMs = entry.check.cacheMs ?? 0;
    if (entry.cached !== undefined && this.#now() - entry.cachedAt < cacheMs) return Promise.resolve(entry.cached);
    return (entry.running ??= this.#run(entry));
  }

  async #run(entry: Entry): Promise<CheckReport> {
    const startedAt = this.#now();
    try {
      const result = await runCheck(entry.check);
      const report: CheckReport = { ...result, name: entry.check.name, critical: entry.critical, time: new Date(startedAt).toISOString() };
      entry.cached = report;
      entry.cachedAt = startedAt;
      this.#onResult(report);
      return report;
    } finally {
      entry.running = undefined;
    }
  }
}
