import type { RampartOptions } from '../pipeline/rampart.js';
import { Keyring } from '../secrets/keyring.js';
import type { RampartConfig } from './define.js';
import { describeConfig } from './load.js';

/** The settings `keyringFrom` reads. */
export type KeyringSettings = Pick<RampartConfig, 'SECRET_KEY' | 'SECRET_KEY_PREVIOUS'>;

/** The settings `optionsFrom` reads: any configuration from `defineConfig` has them. */
export type RampartSettings = Pick<
  RampartConfig,
  | 'APP_ENV'
  | 'TRUST_PROXY'
  | 'LOG_LEVEL'
  | 'LOG_FORMAT'
  | 'LOG_FILE'
  | 'RATE_LIMIT_ENABLED'
  | 'CORS_ORIGINS'
  | 'ALLOWED_HOSTS'
  | 'PUBLIC_ORIGIN'
  | 'COOKIE_SECURE'
  | 'COOKIE_SAMESITE'
  | 'SESSION_COOKIE_NAME'
  | 'SESSION_MAX_AGE'
  | 'METRICS_ENABLED'
  | 'METRICS_TOKEN'
> &
  KeyringSettings;

/**
 * The master secret and its predecessors as a `Keyring`: new signatures use
 * `SECRET_KEY`; ones made with a `SECRET_KEY_PREVIOUS` key still verify.
 */
export function keyringFrom(config: KeyringSettings): Keyring {
  return new Keyring(
    config.SECRET_KEY.reveal(),
    config.SECRET_KEY_PREVIOUS.map((key) => key.reveal()),
  );
}

/**
 * The loaded configuration as `createRampart` options, so wiring is one line:
 * `createRampart(optionsFrom(config))` or `app.register(rampart, optionsFrom(config))`.
 *
 * | setting | option |
 * |---|---|
 * | `APP_ENV` | `profile` |
 * | `TRUST_PROXY` | `trustProxy` |
 * | `LOG_LEVEL`, `LOG_FORMAT`, `LOG_FILE` | `log.level`, `log.format`, `log.file` |
 * | `SECRET_KEY`, `SECRET_KEY_PREVIOUS` | `keyring` |
 * | `RATE_LIMIT_ENABLED` | `rateLimit.enabled` |
 * | `CORS_ORIGINS` (when not empty) | `cors.origins` |
 * | `PUBLIC_ORIGIN` (when set) | `csrf.origins` |
 * | `COOKIE_SECURE`, `COOKIE_SAMESITE`, `SESSION_COOKIE_NAME`, `SESSION_MAX_AGE` | `cookies.*` |
 * | `METRICS_ENABLED=false` | `metrics: false` |
 * | `METRICS_TOKEN` (when set) | `admin.token` |
 * | every setting, redacted, with its source | `status.config` (shown on `/status` to operators) |
 *
 * `overrides` adds what configuration does not cover; object options are
 * merged one level deep, so `{ rateLimit: { rules } }` keeps `enabled`.
 *
 * @example
 * const config = await startup(definition);
 * await app.register(rampart, optionsFrom(config, { rateLimit: { rules: [loginLimit] } }));
 */
export function optionsFrom(config: RampartSettings, overrides: RampartOptions = {}): RampartOptions {
  const options: RampartOptions = {
    profile: config.APP_ENV,
    trustProxy: config.TRUST_PROXY,
    log: {
      level: config.LOG_LEVEL,
      format: config.LOG_FORMAT,
      ...(config.LOG_FILE === undefined ? {} : { file: config.LOG_FILE }),
    },
    keyring: keyringFrom(config),
    rateLimit: { enabled: config.RATE_LIMIT_ENABLED },
    cookies: {
      secure: config.COOKIE_SECURE,
      sameSite: config.COOKIE_SAMESITE,
      sessionName: config.SESSION_COOKIE_NAME,
      // Cookie Max-Age is in seconds (RFC 6265 §5.2.2); durations load as milliseconds.
      sessionMaxAge: Math.max(1, Math.round(config.SESSION_MAX_AGE / 1000)),
    },
    ...(config.ALLOWED_HOSTS.length === 0 ? {} : { allowedHosts: config.ALLOWED_HOSTS }),
    ...(config.CORS_ORIGINS.length === 0 ? {} : { cors: { origins: config.CORS_ORIGINS.includes('*') ? '*' : config.CORS_ORIGINS } }),
    ...(config.PUBLIC_ORIGIN === undefined ? {} : { csrf: { origins: [config.PUBLIC_ORIGIN] } }),
    ...(config.METRICS_TOKEN === undefined ? {} : { admin: { token: config.METRICS_TOKEN } }),
    ...(config.METRICS_ENABLED ? {} : { metrics: false as const }),
    ...statusSummary(config),
  };
  return merge(options, overrides);
}

/** `{ LOG_LEVEL: { value: 'info', source: 'environment' }, SECRET_KEY: { value: '[redacted]', … } }` for `/status`. */
function statusSummary(config: object): Pick<RampartOptions, 'status'> {
  const settings = describeConfig(config);
  if (settings.length === 0) return {};
  const summary = Object.fromEntries(settings.map((setting) => [setting.key, setting.value === undefined ? { source: setting.source } : { value: setting.value, source: setting.source }]));
  return { status: { config: Object.freeze(summary) } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function merge(base: RampartOptions, overrides: RampartOptions): RampartOptions {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return merged as RampartOptions;
}
