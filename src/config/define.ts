import type * as z from 'zod';
import { RampartError, invalidOption } from '../errors/option-error.js';
import { PROFILES, type Profile } from '../profile/profile.js';
import { fieldMeta } from './fields.js';
import { loadConfiguration, type ConfigResult } from './load.js';
import { builtInRules } from './production-rules.js';
import type { ConfigIssue, ConfigRule } from './rules.js';
import { RAMPART_SETTINGS, type RampartSettingsShape } from './settings.js';
import type { LoadOptions } from './sources.js';

/** An app's settings: name → a schema that parses the variable's string (`env.*` or any zod schema). */
export type SettingsShape = Readonly<Record<string, z.ZodType>>;

type Merged<S extends SettingsShape> = Omit<RampartSettingsShape, keyof S> & S;
type Output<T> = T extends z.ZodType ? z.output<T> : never;

/** The loaded, frozen configuration: Rampart's settings plus the app's, each typed by its schema. */
export type ConfigOf<S extends SettingsShape> = { readonly [K in keyof Merged<S>]: Output<Merged<S>[K]> };

/** Rampart's own settings alone. */
export type RampartConfig = ConfigOf<Record<never, never>>;

export interface DefineConfigOptions<C> {
  /** Checks across settings (`requiredWhen`, `forbiddenWhen`, `rule`), run after Rampart's own. */
  rules?: readonly ConfigRule<C>[];
  /**
   * Defaults that differ by profile, as the strings a variable would hold:
   * `{ development: { DATABASE_URL: 'sqlite:./data/dev.sqlite' } }`.
   * Profile-independent defaults belong on the schema (`.default(…)`).
   */
  defaults?: Partial<Record<Profile, Readonly<Record<string, string>>>>;
}

/**
 * A configuration definition: load it where the service starts
 * (`startup(definition)`), or in a pipeline (`rampart check --config`).
 * Defining reads nothing, so a module can export one freely.
 */
export interface ConfigDefinition<C> {
  /** Every setting name, Rampart's and the app's. */
  readonly keys: readonly string[];
  /** Which settings are secrets (never shown). */
  readonly secretKeys: readonly string[];
  /** Reads and validates every source; never throws for a bad configuration, reports it. */
  load(options?: LoadOptions): ConfigResult<C>;
  /** Like `load`, but returns the configuration or throws a `ConfigError` listing every problem. */
  parse(options?: LoadOptions): C;
}

/**
 * Thrown by `parse` for an invalid configuration. `issues` holds every
 * problem; the message lists them, with remedies and without secret values.
 */
export class ConfigError extends RampartError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('RAMPART_CONFIG_INVALID', `Invalid configuration:\n${issues.map((issue) => `  - ${issue.message}${issue.remedy === undefined ? '' : ` (${issue.remedy})`}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Rampart's settings schema (environment, logs, proxies, rate limits, CORS,
 * cookies, metrics, secrets) extended with the app's own keys, validated
 * from defaults, `.env`, `.env.<profile>`, the environment and `NAME_FILE`
 * files, in that order of precedence.
 *
 * @example
 * export default defineConfig(
 *   {
 *     EMBEDDING_PROVIDER: env.oneOf(['local', 'openai']).default('local'),
 *     OPENAI_API_KEY: env.secret().optional(),
 *   },
 *   { rules: [requiredWhen('OPENAI_API_KEY', { EMBEDDING_PROVIDER: 'openai' })] },
 * );
 */
export function defineConfig<const S extends SettingsShape = Record<never, never>>(shape?: S, options: DefineConfigOptions<ConfigOf<S>> = {}): ConfigDefinition<ConfigOf<S>> {
  if (shape !== undefined && (typeof shape !== 'object' || shape === null)) throw invalidOption('shape', 'an object of schemas', shape);
  const merged: Record<string, z.ZodType> = { ...RAMPART_SETTINGS, ...shape };
  for (const [key, schema] of Object.entries(merged)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw invalidOption(`shape.${key}`, 'an upper-case variable name (letters, digits, underscores)', key);
    if (typeof (schema as { safeParse?: unknown } | undefined)?.safeParse !== 'function') throw invalidOption(`shape.${key}`, 'a zod schema', schema);
  }
  const keys = Object.freeze(Object.keys(merged));
  const rules = (options.rules ?? []) as readonly ConfigRule[];
  for (const [index, rule] of rules.entries()) {
    if (typeof rule?.check !== 'function' || !Array.isArray(rule.keys)) throw invalidOption(`rules[${index}]`, 'a rule (rule(), requiredWhen(), forbiddenWhen())', rule);
    const unknown = rule.keys.find((key) => !keys.includes(key));
    if (unknown !== undefined) throw invalidOption(`rules[${index}]`, 'a rule over defined settings', `unknown setting ${unknown}`);
  }
  const defaults = options.defaults ?? {};
  for (const [profile, values] of Object.entries(defaults)) {
    if (!(PROFILES as readonly string[]).includes(profile)) throw invalidOption('defaults', `profiles among ${PROFILES.join(', ')}`, profile);
    for (const [key, value] of Object.entries(values ?? {})) {
      if (!keys.includes(key)) throw invalidOption(`defaults.${profile}`, 'defined settings', key);
      if (typeof value !== 'string') throw invalidOption(`defaults.${profile}.${key}`, 'a string, as a variable would hold', value);
    }
  }
  const connectionKeys = keys.filter((key) => fieldMeta(merged[key] as z.ZodType).connection !== undefined);
  const secretKeys = Object.freeze(keys.filter((key) => fieldMeta(merged[key] as z.ZodType).secret === true));
  const plan = Object.freeze({ shape: Object.freeze(merged), rules: [...builtInRules(connectionKeys), ...rules], defaults });

  return Object.freeze({
    keys,
    secretKeys,
    load: (loadOptions?: LoadOptions) => loadConfiguration<ConfigOf<S>>(plan, loadOptions),
    parse(loadOptions?: LoadOptions) {
      const result = loadConfiguration<ConfigOf<S>>(plan, loadOptions);
      if (!result.ok) throw new ConfigError(result.errors);
      return result.config;
    },
  });
}

/** True for a value `defineConfig` returned: what `rampart check --config` looks for in a module. */
export function isConfigDefinition(value: unknown): value is ConfigDefinition<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as ConfigDefinition<unknown>).load === 'function' && Array.isArray((value as ConfigDefinition<unknown>).keys);
}
