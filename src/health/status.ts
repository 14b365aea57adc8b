import { invalidOption } from '../errors/option-error.js';
import { SENSITIVE_KEY, redactSensitive } from '../log/redact.js';
import type { Answer } from '../pipeline/answer.js';
import type { Profile } from '../profile/profile.js';

export interface StatusOptions {
  /** Path of the status document. Default `/status`. */
  path?: string;
  /** The service version shown. Default `APP_VERSION`, then `npm_package_version` from the environment, else omitted. */
  version?: string;
  /**
   * The configuration summary to show: an object, or a function called per
   * request. Keys named like secrets are redacted at any depth, and
   * `Secret` values print as `[redacted]` by themselves. Default: none.
   */
  config?: Readonly<Record<string, unknown>> | (() => Readonly<Record<string, unknown>>);
}

export interface StatusSource {
  readonly profile: Profile;
  readonly version: string | undefined;
  readonly startedAt: Date;
  /** Readiness now, through the same cached checks as the probe. */
  readonly ready: () => Promise<boolean>;
  readonly draining: () => boolean;
  readonly config: StatusOptions['config'];
}

const HEADERS = Object.freeze({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
const isSensitive = (key: string): boolean => SENSITIVE_KEY.test(key);

export function resolveVersion(version: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (version !== undefined && typeof version !== 'string') throw invalidOption('status.version', 'a string', version);
  return version ?? env['APP_VERSION'] ?? env['npm_package_version'];
}

/** `/status`: what is running, where, since when — for humans and dashboards, behind the admin token in production. */
export async function statusAnswer(source: StatusSource): Promise<Answer> {
  const ready = await source.ready();
  const config = typeof source.config === 'function' ? source.config() : source.config;
  const uptimeSeconds = Math.round((Date.now() - source.startedAt.getTime()) / 1000);
  const body = {
    status: source.draining() ? 'draining' : ready ? 'ready' : 'not ready',
    version: source.version,
    environment: source.profile,
    startedAt: source.startedAt.toISOString(),
    uptimeSeconds,
    node: process.version,
    pid: process.pid,
    ...(config === undefined ? undefined : { config: redactSensitive(JSON.parse(JSON.stringify(config)) as unknown, isSensitive) }),
  };
  return { status: 200, headers: HEADERS, body: JSON.stringify(body) };
}
