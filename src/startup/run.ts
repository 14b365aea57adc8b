import { runCheck, type Check, type CheckStatus } from '../checks/check.js';
import type { ConfigDefinition } from '../config/define.js';
import type { ConfigIssue } from '../config/rules.js';
import type { SettingSummary } from '../config/load.js';
import type { LoadOptions } from '../config/sources.js';
import type { Profile } from '../profile/profile.js';

/** sysexits.h: the configuration is wrong. Supervisors should not restart into the same error. */
export const EXIT_CONFIG = 78;
/** sysexits.h: a service the app needs is unavailable; a restart may help once it is back. */
export const EXIT_UNAVAILABLE = 69;

export interface CheckOutcome {
  readonly name: string;
  readonly critical: boolean;
  readonly status: CheckStatus;
  readonly output?: string;
  readonly remedy?: string;
  readonly durationMs: number;
}

export interface StartupReport<C> {
  /** The configuration is valid and every critical check passed. */
  readonly ok: boolean;
  /** 0, `EXIT_CONFIG` (78) or `EXIT_UNAVAILABLE` (69). */
  readonly exitCode: 0 | typeof EXIT_CONFIG | typeof EXIT_UNAVAILABLE;
  readonly profile: Profile;
  readonly profileSource: string;
  /** The loaded configuration; undefined when it is invalid. */
  readonly config: C | undefined;
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  readonly settings: readonly SettingSummary[];
  /** Dependency checks in the order given; empty when the configuration was invalid. */
  readonly checks: readonly CheckOutcome[];
  /** The checks did not run because the configuration was invalid. */
  readonly checksSkipped: boolean;
  readonly durationMs: number;
}

/** The checks to run before listening, built from the loaded configuration. */
export type ChecksFactory<C> = (config: C) => readonly Check[] | Promise<readonly Check[]>;

export interface RunStartupOptions<C> extends LoadOptions {
  /**
   * Critical dependencies to verify before the server listens: Rampart's
   * `postgresCheck`, `sqliteCheck`, `redisCheck`, or any `Check`. They run
   * concurrently, each under its own timeout.
   */
  checks?: ChecksFactory<C>;
}

/**
 * Validates the configuration, then runs the checks; reports, never exits.
 * `startup()` and `rampart check` print what this returns.
 */
export async function runStartup<C>(definition: ConfigDefinition<C>, options: RunStartupOptions<C> = {}): Promise<StartupReport<C>> {
  const started = performance.now();
  const loaded = definition.load(options);
  const common = {
    profile: loaded.profile,
    profileSource: loaded.profileSource,
    errors: loaded.errors,
    warnings: loaded.warnings,
    settings: loaded.settings,
  };
  if (!loaded.ok) {
    return Object.freeze({ ...common, ok: false, exitCode: EXIT_CONFIG, config: undefined, checks: [], checksSkipped: options.checks !== undefined, durationMs: elapsed(started) });
  }
  const checks = options.checks === undefined ? [] : await options.checks(loaded.config);
  const outcomes = await Promise.all(
    checks.map(async (check): Promise<CheckOutcome> => {
      const result = await runCheck(check);
      return Object.freeze({
        name: check.name,
        critical: check.critical !== false,
        status: result.status,
        durationMs: result.durationMs,
        ...(result.output === undefined ? {} : { output: result.output }),
        ...(result.remedy === undefined ? {} : { remedy: result.remedy }),
      });
    }),
  );
  const unavailable = outcomes.some((outcome) => outcome.critical && outcome.status === 'fail');
  return Object.freeze({
    ...common,
    ok: !unavailable,
    exitCode: unavailable ? EXIT_UNAVAILABLE : 0,
    config: loaded.config,
    checks: Object.freeze(outcomes),
    checksSkipped: false,
    durationMs: elapsed(started),
  });
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
