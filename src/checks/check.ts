/**
 * A dependency check, shared by the startup runner (before listening) and
 * the health registry (readiness probes). Results follow the
 * `application/health+json` draft's vocabulary.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  readonly status: CheckStatus;
  readonly observedValue?: number | string | boolean;
  readonly observedUnit?: string;
  /** Safe for clients: never a connection string, host, stack or library message. */
  readonly output?: string;
  /** For the operator (startup report, logs): what to do about a failure. */
  readonly remedy?: string;
}

export interface Check {
  /** `component:measurement`, e.g. `postgres:connection`, `disk:free`. */
  readonly name: string;
  /** Critical checks decide readiness and startup; others can only degrade to `warn`. Default true. */
  readonly critical?: boolean;
  /** Default 2000 ms. A check that overruns fails with output "timed out". */
  readonly timeoutMs?: number;
  /** Reuse a result for this long so probes do not hammer the dependency. Default 0. */
  readonly cacheMs?: number;
  /** Resolves with a result or rejects; must stop work when `signal` aborts. */
  run(signal: AbortSignal): Promise<CheckResult>;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

/**
 * Runs one check under its timeout. Never throws and never waits past the
 * timeout, whatever the check does: a hung dependency must not hang the probe.
 */
export async function runCheck(check: Check): Promise<CheckResult & { readonly durationMs: number }> {
  const started = performance.now();
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      // Settle first: a check that rejects as soon as it is aborted must not
      // turn the timeout into a generic failure.
      resolve({ status: 'fail', output: `timed out after ${timeoutMs} ms` });
      controller.abort();
    }, timeoutMs);
    // Not unref'ed: a check hung on a promise that holds nothing open would
    // otherwise let the process exit mid-probe. The finally below clears it.
  });
  let result: CheckResult;
  try {
    result = await Promise.race([check.run(controller.signal), timeout]);
  } catch {
    result = { status: 'fail', output: 'check failed' };
  } finally {
    clearTimeout(timer);
  }
  if (result.status === 'fail' && check.critical === false) result = { ...result, status: 'warn' };
  return { ...result, durationMs: Math.round((performance.now() - started) * 100) / 100 };
}
