import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AuditOptions } from './options.js';
import type { RuleAction } from './types.js';

/**
 * The audit's configuration file (`rampart-audit.json` in the working
 * directory, or `--config <file>`): the same settings as the flags, plus
 * per-check rules, so a CI job is `rampart audit` and a reviewed file.
 *
 * ```json
 * { "url": "https://staging.example.com/", "failUnder": "A",
 *   "pages": ["/login"], "csrf": { "paths": ["/login"] },
 *   "rateLimit": { "path": "/api/auth/login", "method": "POST", "requests": 20 },
 *   "headers": { "Authorization": "Bearer ${AUDIT_TOKEN}" },
 *   "rules": { "metrics-public": "ignore", "coop": "warn", "10063": "fail" } }
 * ```
 */
export const DEFAULT_CONFIG_FILE = 'rampart-audit.json';

export interface AuditConfigFile {
  url?: string;
  pages?: string[];
  jsonPath?: string;
  csrf?: { paths?: string[]; method?: AuditOptions['csrfMethod'] };
  rateLimit?: { path: string; method?: 'GET' | 'POST'; requests?: number; body?: string };
  health?: { liveness?: string[]; readiness?: string[] };
  metricsPath?: string | false;
  httpPort?: number;
  maxRequests?: number;
  timeoutSeconds?: number;
  deadlineSeconds?: number;
  oversizedBytes?: number;
  /** Path of a PEM CA file, relative to the configuration file. */
  ca?: string;
  insecure?: boolean;
  /** Values may name environment variables as `${NAME}`, so secrets stay out of the file. */
  headers?: Record<string, string>;
  failUnder?: AuditOptions['failUnder'];
  rules?: Record<string, RuleAction>;
}

const KEYS = new Set(['$schema', 'url', 'pages', 'jsonPath', 'csrf', 'rateLimit', 'health', 'metricsPath', 'httpPort', 'maxRequests', 'timeoutSeconds', 'deadlineSeconds', 'oversizedBytes', 'ca', 'insecure', 'headers', 'failUnder', 'rules']);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Reads a configuration file into audit options. With no explicit path, a
 * `rampart-audit.json` in `cwd` is used when present. Unknown keys are an
 * error, so a typo never silently turns a check off.
 */
export function loadConfig(path: string | undefined, cwd: string, env: NodeJS.ProcessEnv = process.env): { options: Partial<AuditOptions>; file: string | undefined } {
  const file = path === undefined ? resolve(cwd, DEFAULT_CONFIG_FILE) : resolve(cwd, path);
  if (path === undefined && !existsSync(file)) return { options: {}, file: undefined };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: expected a JSON object`);
  const config = raw as AuditConfigFile & Record<string, unknown>;
  const unknown = Object.keys(config).filter((key) => !KEYS.has(key));
  if (unknown.length > 0) throw new ConfigError(`${file}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')}`);

  const options: Partial<AuditOptions> = {};
  const set = <K extends keyof AuditOptions>(key: K, value: AuditOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('url', config.url);
  set('pages', config.pages);
  set('jsonPath', config.jsonPath);
  set('csrfPaths', config.csrf?.paths);
  set('csrfMethod', config.csrf?.method);
  set('rateLimit', config.rateLimit);
  set('livenessPaths', config.health?.liveness);
  set('readinessPaths', config.health?.readiness);
  set('metricsPath', config.metricsPath);
  set('httpPort', config.httpPort);
  set('maxRequests', config.maxRequests);
  set('timeoutMs', seconds('timeoutSeconds', config.timeoutSeconds, file));
  set('deadlineMs', seconds('deadlineSeconds', config.deadlineSeconds, file));
  set('oversizedBytes', config.oversizedBytes);
  set('insecure', config.insecure);
  set('failUnder', config.failUnder);
  set('rules', config.rules);
  if (config.ca !== undefined) set('ca', readCa(resolve(dirname(file), String(config.ca))));
  if (config.headers !== undefined) {
    if (typeof config.headers !== 'object' || config.headers === null) throw new ConfigError(`${file}: "headers" must be an object`);
    set('headers', Object.fromEntries(Object.entries(config.headers).map(([name, value]) => [name, expand(String(value), env, file)])));
  }
  return { options, file };
}

function seconds(key: string, value: unknown, file: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new ConfigError(`${file}: "${key}" must be a positive number of seconds`);
  return Math.round(value * 1000);
}

export function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the CA file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function expand(value: string, env: NodeJS.ProcessEnv, file: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const found = env[name];
    if (found === undefined) throw new ConfigError(`${file}: the header value names \${${name}}, which is not set in the environment`);
    return found;
  });
}
