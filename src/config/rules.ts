import type { Profile } from '../profile/profile.js';

/** One thing wrong (or worth a look) in a configuration. */
export interface ConfigIssue {
  /** `error` stops startup; `warning` is reported and startup goes on. */
  readonly severity: 'error' | 'warning';
  /** The setting concerned, when there is one. */
  readonly key?: string;
  /** A sentence naming the setting; never a secret's value. */
  readonly message: string;
  /** What to do about it. */
  readonly remedy?: string;
  /** Where the offending value came from (`.env`, `environment`, `SECRET_KEY_FILE`, …). */
  readonly source?: string;
}

/** What a rule returns: nothing, one issue, or several. */
export type RuleResult = undefined | RuleIssue | readonly RuleIssue[];

export interface RuleIssue {
  readonly key?: string;
  readonly message: string;
  readonly remedy?: string;
  /** Default `error`. */
  readonly severity?: 'error' | 'warning';
}

/** What a rule may ask about the configuration besides its values. */
export interface RuleContext {
  readonly profile: Profile;
  /** Production or staging: the profiles that refuse unsafe settings. */
  readonly productionLike: boolean;
  /** Where a setting's value came from, or undefined when it is unset. */
  source(key: string): string | undefined;
  /** Whether a value was given (a file, the environment) rather than defaulted or generated. */
  isExplicit(key: string): boolean;
  /** The raw string of a setting, for rules that judge how it was written. */
  raw(key: string): string | undefined;
}

/**
 * A check across settings. `config` holds the settings that parsed; a rule
 * whose `keys` include one that failed is skipped, so one typo yields one
 * problem, not a cascade.
 */
export interface ConfigRule<C = Readonly<Record<string, unknown>>> {
  /** The settings the rule reads; `defineConfig` checks they exist. */
  readonly keys: readonly string[];
  check(config: C, context: RuleContext): RuleResult;
}

/** A rule from a function: `rule(['A', 'B'], (config) => config.A > config.B ? undefined : { key: 'A', message: '…' })`. */
export function rule<C = Readonly<Record<string, unknown>>>(keys: readonly string[], check: (config: C, context: RuleContext) => RuleResult): ConfigRule<C> {
  return { keys: Object.freeze([...keys]), check };
}

/** `{ EMBEDDING_PROVIDER: 'openai' }`: every listed setting equals the value (or one of the values). */
export type Condition = Readonly<Record<string, unknown>>;

export interface ConditionalOptions {
  /** The remedy shown with the problem. */
  remedy?: string;
  /** `warning` to report without refusing to start. Default `error`. */
  severity?: 'error' | 'warning';
}

function matches(config: Readonly<Record<string, unknown>>, when: Condition): boolean {
  return Object.entries(when).every(([key, expected]) => {
    const actual = config[key];
    return Array.isArray(expected) ? expected.includes(actual) : actual === expected;
  });
}

function describe(when: Condition): string {
  return Object.entries(when)
    .map(([key, expected]) => `${key} is ${Array.isArray(expected) ? expected.map(String).join(' or ') : String(expected)}`)
    .join(' and ');
}

function isSet(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/**
 * `key` must be set whenever the condition holds — provider-dependent keys:
 * `requiredWhen('OPENAI_API_KEY', { EMBEDDING_PROVIDER: 'openai' })`. A
 * condition on `APP_ENV` makes a key required in some profiles only.
 */
export function requiredWhen(key: string, when: Condition, options: ConditionalOptions = {}): ConfigRule {
  return rule([key, ...Object.keys(when)], (config) => {
    if (!matches(config, when) || isSet(config[key])) return undefined;
    return {
      key,
      message: `${key} is required when ${describe(when)}`,
      remedy: options.remedy ?? `set ${key}`,
      ...(options.severity === undefined ? {} : { severity: options.severity }),
    };
  });
}

/** `key` must not be set whenever the condition holds: `forbiddenWhen('ADMIN_PASSWORD', { APP_ENV: 'production' })`. */
export function forbiddenWhen(key: string, when: Condition, options: ConditionalOptions = {}): ConfigRule {
  return rule([key, ...Object.keys(when)], (config) => {
    if (!matches(config, when) || !isSet(config[key])) return undefined;
    return {
      key,
      message: `${key} must not be set when ${describe(when)}`,
      remedy: options.remedy ?? `remove ${key}`,
      ...(options.severity === undefined ? {} : { severity: options.severity }),
    };
  });
}
