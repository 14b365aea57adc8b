import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import { REDACTED } from '../log/redact.js';
import { Secret } from '../secrets/secret.js';
import { isProductionLike, type Profile } from '../profile/profile.js';
import { maskConnectionUrl } from './connection-url.js';
import { fieldMeta, type FieldMeta } from './fields.js';
import type { ConfigIssue, ConfigRule, RuleContext, RuleIssue } from './rules.js';
import { rampartDefaults } from './settings.js';
import { baseFileLayers, environmentLayer, profileFileLayer, quote, readSecretFile, resolveProfile, type Layer, type LoadOptions } from './sources.js';

/** One setting as a report shows it: secrets redacted, connection URLs with the password masked. */
export interface SettingSummary {
  readonly key: string;
  /** Undefined when unset. */
  readonly value: string | undefined;
  /** `default`, `default (production)`, `.env`, `.env.production`, `environment`, `SECRET_KEY_FILE`, `generated`, `unset`. */
  readonly source: string;
  readonly secret: boolean;
}

interface LoadedCommon {
  readonly profile: Profile;
  /** Where the profile was read. */
  readonly profileSource: string;
  /** Problems that refuse the configuration; empty when `ok`. */
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  /** Every setting with its (redacted) value and source. */
  readonly settings: readonly SettingSummary[];
}

export type ConfigResult<C> = (LoadedCommon & { readonly ok: true; readonly config: C }) | (LoadedCommon & { readonly ok: false; readonly config: undefined });

export interface LoadPlan {
  readonly shape: Readonly<Record<string, z.ZodType>>;
  readonly rules: readonly ConfigRule[];
  readonly defaults: Partial<Record<Profile, Readonly<Record<string, string>>>>;
}

interface Raw {
  readonly value: string;
  readonly source: string;
}

const DEFAULT_SOURCE = /^default/;

/**
 * Setting names that hold secrets even when declared as plain strings
 * (`OPENAI_API_KEY: z.string()`): reports never show their values. Narrower
 * than the log's pattern, which also hides cookie values: `COOKIE_SECURE`
 * is a switch, not a secret.
 */
export const SECRET_SETTING_NAME = /passw|secret|token|api_?key|private_?key|access_?key|credential/i;
const summaries = new WeakMap<object, readonly SettingSummary[]>();

/** The settings summary of a loaded configuration, for a `/status` page or a log line at startup. */
export function describeConfig(config: object): readonly SettingSummary[] {
  return summaries.get(config) ?? [];
}

export function loadConfiguration<C>(plan: LoadPlan, options: LoadOptions = {}): ConfigResult<C> {
  const issues: ConfigIssue[] = [];
  const cwd = options.cwd ?? process.cwd();
  const environment = environmentLayer(options.env ?? process.env);
  const baseFiles = baseFileLayers(options, cwd, issues);
  const resolved = resolveProfile(options, environment, baseFiles, issues);
  const profile = resolved.profile;
  const profileFile = profileFileLayer(options, cwd, resolved, issues);
  const files = profileFile === undefined ? baseFiles : [...baseFiles, profileFile];
  const defaults: Layer = { name: `default (${profile})`, values: new Map(Object.entries({ ...rampartDefaults(profile), ...plan.defaults[profile] })), isFile: false };
  const layers = [defaults, ...files, environment];

  const keys = Object.keys(plan.shape);
  const metas = new Map<string, FieldMeta>(keys.map((key) => [key, fieldMeta(plan.shape[key] as z.ZodType)]));
  const raws = new Map<string, Raw>();
  raws.set('APP_ENV', { value: profile, source: resolved.source });
  for (const key of keys) {
    if (key === 'APP_ENV') continue;
    const raw = collect(key, layers, cwd, issues);
    if (raw !== undefined) raws.set(key, raw);
  }
  if (!raws.has('SECRET_KEY') && keys.includes('SECRET_KEY') && !isProductionLike(profile)) {
    // Development and tests get a key per process: sessions reset on restart, nothing to configure.
    raws.set('SECRET_KEY', { value: randomBytes(32).toString('base64url'), source: 'generated' });
  }

  const values: Record<string, unknown> = {};
  const failed = new Set<string>();
  for (const key of keys) {
    const raw = raws.get(key);
    const result = (plan.shape[key] as z.ZodType).safeParse(raw?.value);
    if (result.success) {
      values[key] = result.data;
      continue;
    }
    failed.add(key);
    issues.push(parseIssue(key, raw, result.error, isSecretKey(key, metas)));
  }

  const context: RuleContext = {
    profile,
    productionLike: isProductionLike(profile),
    source: (key) => raws.get(key)?.source,
    isExplicit: (key) => {
      const source = raws.get(key)?.source;
      return source !== undefined && !DEFAULT_SOURCE.test(source) && source !== 'generated';
    },
    raw: (key) => raws.get(key)?.value,
  };
  for (const rule of plan.rules) {
    if (rule.keys.some((key) => failed.has(key))) continue;
    for (const issue of asList(rule.check(values, context))) issues.push(ruleIssue(issue, raws));
  }
  issues.push(...typoWarnings(files, keys));
  issues.push(...nodeEnvWarning([...files, environment], profile));

  const settings = Object.freeze(
    keys.map((key): SettingSummary => {
      const raw = raws.get(key);
      const secret = isSecretKey(key, metas);
      if (raw !== undefined) return Object.freeze({ key, value: display(raw.value, secret, metas.get(key)), source: raw.source, secret });
      // Unset, but the schema may supply a default of its own (`.default(…)`).
      const parsed = values[key];
      if (parsed === undefined) return Object.freeze({ key, value: undefined, source: 'unset', secret });
      return Object.freeze({ key, value: secret ? REDACTED : displayParsed(parsed), source: 'default', secret });
    }),
  );
  const errors = Object.freeze(issues.filter((issue) => issue.severity === 'error'));
  const warnings = Object.freeze(issues.filter((issue) => issue.severity === 'warning'));
  const common = { profile, profileSource: resolved.source, errors, warnings, settings };
  if (errors.length > 0) return Object.freeze({ ...common, ok: false as const, config: undefined });
  const config = Object.freeze(values) as C;
  summaries.set(config as object, settings);
  return Object.freeze({ ...common, ok: true as const, config });
}

/**
 * The winning raw value of `key` and its source. `KEY_FILE` outranks every
 * other source; `KEY` and `KEY_FILE` both given is an error, because which
 * one the operator meant is unknowable. An empty value counts as unset, so
 * `.env.example` can list every key.
 */
function collect(key: string, layers: readonly Layer[], cwd: string, issues: ConfigIssue[]): Raw | undefined {
  const direct = winner(key, layers);
  const fileVariable = `${key}_FILE`;
  const file = winner(fileVariable, layers);
  if (file === undefined) return direct;
  if (direct !== undefined && !DEFAULT_SOURCE.test(direct.source)) {
    issues.push({
      severity: 'error',
      key,
      message: `${key} and ${fileVariable} are both set (${key} from ${direct.source}, ${fileVariable} from ${file.source})`,
      remedy: `set only one of them`,
    });
    return undefined;
  }
  const read = readSecretFile(file.value, cwd);
  if (read.error !== undefined) {
    issues.push({ severity: 'error', key, message: `${fileVariable} names a file that ${read.error}: ${quote(file.value)}`, remedy: `check the path in ${fileVariable} and the file's permissions`, source: file.source });
    return undefined;
  }
  const value = read.value as string;
  return value === '' ? undefined : { value, source: fileVariable };
}

function winner(name: string, layers: readonly Layer[]): Raw | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i] as Layer;
    const value = layer.values.get(name);
    if (value === undefined) continue;
    // Empty means "not set here", except among the defaults, where '' is a value (an empty list).
    if (value === '' && !DEFAULT_SOURCE.test(layer.name)) continue;
    return { value, source: layer.name };
  }
  return undefined;
}

function isSecretKey(key: string, metas: ReadonlyMap<string, FieldMeta>): boolean {
  // Named like a secret but declared as a plain string: still never shown.
  return metas.get(key)?.secret === true || SECRET_SETTING_NAME.test(key);
}

function display(value: string, secret: boolean, meta: FieldMeta | undefined): string {
  if (meta?.connection !== undefined) return maskConnectionUrl(value.trim());
  if (secret) return REDACTED;
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

function displayParsed(value: unknown): string {
  if (value instanceof Secret) return REDACTED;
  if (Array.isArray(value)) return value.map(displayParsed).join(', ');
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function parseIssue(key: string, raw: Raw | undefined, error: z.ZodError, secret: boolean): ConfigIssue {
  const first = error.issues[0];
  if (raw === undefined) {
    return {
      severity: 'error',
      key,
      message: `${key} is required`,
      remedy: key === 'SECRET_KEY' ? 'generate one with: rampart secret — then set SECRET_KEY or SECRET_KEY_FILE' : `set ${key} (or ${key}_FILE)`,
    };
  }
  const text = first?.message ?? 'is invalid';
  const sentence = /^(must|is|may|entry)\b/.test(text) ? `${key} ${text}` : `${key}: ${text}`;
  return {
    severity: 'error',
    key,
    message: secret ? sentence : `${sentence} (got ${quote(raw.value)})`,
    remedy: `fix ${key} in ${raw.source}`,
    source: raw.source,
  };
}

function asList(result: RuleIssue | readonly RuleIssue[] | undefined): readonly RuleIssue[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result as RuleIssue];
}

function ruleIssue(issue: RuleIssue, raws: ReadonlyMap<string, Raw>): ConfigIssue {
  const source = issue.key === undefined ? undefined : raws.get(issue.key)?.source;
  return {
    severity: issue.severity ?? 'error',
    message: issue.message,
    ...(issue.key === undefined ? {} : { key: issue.key }),
    ...(issue.remedy === undefined ? {} : { remedy: issue.remedy }),
    ...(source === undefined ? {} : { source }),
  };
}

/** A name in a `.env` file one or two edits away from a setting is almost surely a typo of it. */
function typoWarnings(files: readonly Layer[], keys: readonly string[]): ConfigIssue[] {
  const known = new Set([...keys, ...keys.map((key) => `${key}_FILE`), 'NODE_ENV']);
  const warnings: ConfigIssue[] = [];
  for (const layer of files) {
    for (const name of layer.values.keys()) {
      if (known.has(name) || name.length < 4) continue;
      const match = keys.find((key) => editDistance(name.toUpperCase(), key) <= (key.length > 8 ? 2 : 1));
      if (match !== undefined) {
        warnings.push({ severity: 'warning', key: name, message: `${name} in ${layer.name} is not a setting — did you mean ${match}?`, remedy: `rename it to ${match}`, source: layer.name });
      }
    }
  }
  return warnings;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * Libraries (Express, React, many ORMs) read `NODE_ENV` itself, not
 * `APP_ENV`. Env files count: systemd's `EnvironmentFile` and Compose's
 * `env_file` turn them into the process environment.
 */
function nodeEnvWarning(layers: readonly Layer[], profile: Profile): ConfigIssue[] {
  if (!isProductionLike(profile)) return [];
  const nodeEnv = winner('NODE_ENV', layers)?.value;
  if (nodeEnv === 'production') return [];
  return [
    {
      severity: 'warning',
      key: 'NODE_ENV',
      message: `NODE_ENV is ${nodeEnv === undefined || nodeEnv === '' ? 'unset' : quote(nodeEnv)} in ${profile}: libraries that read it run in development mode`,
      remedy: 'set NODE_ENV=production in the service environment',
    },
  ];
}
