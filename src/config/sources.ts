import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { PROFILES, type Profile } from '../profile/profile.js';
import { parseDotenv } from './dotenv.js';
import type { ConfigIssue } from './rules.js';

/** Where configuration is read from. Every option is for tests and tools; services use the defaults. */
export interface LoadOptions {
  /** The variables to read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The directory `.env` files are found in, and relative `_FILE` paths resolve against. Default `process.cwd()`. */
  cwd?: string;
  /**
   * Files to read instead of `.env` and `.env.<profile>`, lowest precedence
   * first; each must exist. `false` reads no file. Default: `.env`, then
   * `.env.<profile>`, each if present.
   */
  envFiles?: readonly string[] | false;
  /** Use this profile whatever `APP_ENV` says (as `rampart check --profile` does). */
  profile?: Profile;
}

/** One source of raw values, e.g. `.env` or the environment. */
export interface Layer {
  readonly name: string;
  readonly values: ReadonlyMap<string, string>;
  readonly isFile: boolean;
}

export interface ResolvedProfile {
  readonly profile: Profile;
  /** Where it was read: `APP_ENV in environment`, `NODE_ENV in .env`, `default`, `explicit option`. */
  readonly source: string;
  /** False when the named profile was unknown; the rules of `production` then apply, hiding nothing. */
  readonly valid: boolean;
}

/** Big enough for any key or certificate bundle; small enough that `X_FILE=/dev/zero` fails fast. */
const MAX_SECRET_FILE_BYTES = 1024 * 1024;

export function environmentLayer(env: Readonly<Record<string, string | undefined>>): Layer {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') values.set(name, value);
  return { name: 'environment', values, isFile: false };
}

/** Reads one `.env`-format file into a layer; line errors and duplicates become issues. */
export function readEnvFile(path: string, name: string, issues: ConfigIssue[]): Layer {
  const parsed = parseDotenv(readFileSync(path, 'utf8'));
  for (const error of parsed.errors) {
    issues.push({ severity: 'error', message: `${name} line ${error.line}: ${error.message}`, remedy: `fix or remove line ${error.line} of ${name}`, source: name });
  }
  for (const duplicate of parsed.duplicates) {
    issues.push({ severity: 'warning', key: duplicate.name, message: `${duplicate.name} is set twice in ${name} (line ${duplicate.line} wins)`, remedy: 'keep one', source: name });
  }
  const values = new Map<string, string>();
  for (const [key, entry] of parsed.entries) values.set(key, entry.value);
  return { name, values, isFile: true };
}

/** The explicit files, which must exist, or `.env` when present. */
export function baseFileLayers(options: LoadOptions, cwd: string, issues: ConfigIssue[]): Layer[] {
  if (options.envFiles === false) return [];
  if (options.envFiles !== undefined) {
    const layers: Layer[] = [];
    for (const file of options.envFiles) {
      const path = isAbsolute(file) ? file : resolve(cwd, file);
      if (!existsSync(path)) {
        issues.push({ severity: 'error', message: `env file ${file} does not exist`, remedy: 'check the --env-file path' });
        continue;
      }
      layers.push(readEnvFile(path, file, issues));
    }
    return layers;
  }
  const path = join(cwd, '.env');
  return existsSync(path) ? [readEnvFile(path, '.env', issues)] : [];
}

/** `.env.<profile>`, when files are discovered rather than given. */
export function profileFileLayer(options: LoadOptions, cwd: string, profile: ResolvedProfile, issues: ConfigIssue[]): Layer | undefined {
  if (options.envFiles !== undefined || !profile.valid) return undefined;
  const name = `.env.${profile.profile}`;
  const path = join(cwd, name);
  if (!existsSync(path)) return undefined;
  const layer = readEnvFile(path, name, issues);
  const named = layer.values.get('APP_ENV');
  if (named !== undefined && named.trim() !== '' && named.trim().toLowerCase() !== profile.profile) {
    issues.push({ severity: 'error', key: 'APP_ENV', message: `${name} sets APP_ENV to another profile`, remedy: `remove APP_ENV from ${name}`, source: name });
  }
  return layer;
}

/**
 * The profile: `APP_ENV` from the environment, then from the files, then
 * `NODE_ENV` the same way, else `development`. An unknown name is an error,
 * never a silent default: a typo in production must not turn its rules off.
 */
export function resolveProfile(options: LoadOptions, environment: Layer, files: readonly Layer[], issues: ConfigIssue[]): ResolvedProfile {
  if (options.profile !== undefined) return { profile: options.profile, source: 'explicit option', valid: true };
  for (const variable of ['APP_ENV', 'NODE_ENV']) {
    for (const layer of [environment, ...[...files].reverse()]) {
      const raw = layer.values.get(variable)?.trim();
      if (raw === undefined || raw === '') continue;
      const name = raw.toLowerCase();
      if ((PROFILES as readonly string[]).includes(name)) return { profile: name as Profile, source: `${variable} in ${layer.name}`, valid: true };
      issues.push({
        severity: 'error',
        key: 'APP_ENV',
        message: `${variable} must be one of ${PROFILES.join(', ')} (got ${quote(raw)}); checking with the production rules`,
        remedy: variable === 'NODE_ENV' ? 'set APP_ENV to one of the profiles (it wins over NODE_ENV)' : `set APP_ENV to one of ${PROFILES.join(', ')}`,
        source: layer.name,
      });
      return { profile: 'production', source: `${variable} in ${layer.name}`, valid: false };
    }
  }
  return { profile: 'development', source: 'default', valid: true };
}

export interface FileRead {
  readonly value?: string;
  readonly error?: string;
}

/**
 * The content of a `NAME_FILE` file (Docker and Kubernetes secrets), less
 * one trailing newline, which editors and `echo` add. Errors name the
 * problem, never the content.
 */
export function readSecretFile(path: string, cwd: string): FileRead {
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  let fd: number | undefined;
  try {
    fd = openSync(absolute, 'r');
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_SECRET_FILE_BYTES) return { error: `is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB` };
    const text = buffer.toString('utf8', 0, length);
    return { value: text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? 'error'})`;
    return { error: reason };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A non-secret value for a message: quoted, and cut at 40 characters. */
export function quote(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  return JSON.stringify(flat.length > 40 ? `${flat.slice(0, 40)}…` : flat);
}
