import * as z from 'zod';
import { createClientAddressResolver, type TrustProxy } from '../client-ip/trust-proxy.js';
import { PROFILES, type Profile } from '../profile/profile.js';
import { env } from './fields.js';

const DAY = 86_400_000;

/**
 * `TRUST_PROXY`: `false`/`0` (nobody), a hop count (`1` behind one nginx),
 * or a list of addresses, CIDRs and presets (`loopback`, `uniquelocal`).
 * `true` is refused, as in `createRampart`: it lets any client pick its IP.
 */
function trustProxy() {
  return z.string().transform((raw, ctx): TrustProxy => {
    const text = raw.trim().toLowerCase();
    if (text === 'false' || text === 'no' || text === '0') return false;
    if (text === 'true' || text === 'yes') {
      ctx.issues.push({ code: 'custom', input: raw, message: 'may not be true (it lets any client choose its own IP): give the number of proxies in front (1 for one nginx) or their addresses' });
      return z.NEVER;
    }
    const value: TrustProxy = /^\d+$/.test(text) ? Number(text) : Object.freeze(text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''));
    try {
      createClientAddressResolver(value);
    } catch {
      ctx.issues.push({ code: 'custom', input: raw, message: 'must be false, a number of proxies (0–32), or a comma-separated list of addresses, CIDRs and presets (loopback, linklocal, uniquelocal)' });
      return z.NEVER;
    }
    return value;
  });
}

/**
 * The session cookie's base name (an RFC 6265 token). No `__` prefix:
 * Rampart sends it as `__Host-<name>` when cookies are Secure, the
 * strongest form (Secure, `Path=/`, no `Domain`: a sibling subdomain cannot
 * plant one).
 */
function cookieName() {
  return env.string({ min: 1, max: 64, pattern: /^(?!__)[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, description: 'a cookie name (letters, digits and !#$%&\'*+-.^_`|~) without a __ prefix: Rampart adds __Host- itself when cookies are Secure' });
}

/** `ALLOWED_HOSTS` entries: a host name, `.example.com` for it and its subdomains, an IP, or `*`. */
function hostPattern() {
  return env.string({ min: 1, max: 253, pattern: /^(\*|\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?)$/i, description: 'a host name, .domain for subdomains, an IP address, or *' });
}

/**
 * Rampart's own settings. Apps extend this with theirs in `defineConfig`;
 * a key of the app's with the same name replaces Rampart's.
 */
export const RAMPART_SETTINGS = {
  /** The profile, from `APP_ENV`, else `NODE_ENV`, else `development`. */
  APP_ENV: z.enum(PROFILES),
  /** The app's debug switch. Refused in production and staging. */
  DEBUG: env.boolean(),
  /** Log level; `warning` and `critical` are understood. Default `debug` (development), `warn` (test), `info`. */
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { aliases: { warning: 'warn', critical: 'fatal' } }),
  /** `json` or `pretty`. Default `pretty` in development, else `json`. */
  LOG_FORMAT: env.oneOf(['json', 'pretty']),
  /** Append logs to this file instead of stdout. */
  LOG_FILE: env.string({ min: 1 }).optional(),
  /** Which proxies may name the client. Default `false`. */
  TRUST_PROXY: trustProxy(),
  /** Rate limiting on or off. Default `true`. */
  RATE_LIMIT_ENABLED: env.boolean(),
  /** Origins allowed to make cross-origin requests. Default none. `*` is refused in production. */
  CORS_ORIGINS: env.list(origin()),
  /** Host names the service answers to. Default none (not restricted). `*` is refused in production. */
  ALLOWED_HOSTS: env.list(hostPattern()),
  /** The origin users reach the service at, e.g. `https://app.example.com`; must be https in production. */
  PUBLIC_ORIGIN: env.origin().optional(),
  /** `Secure` on cookies. Default `true` in production and staging (and refused as `false` there), else `false`. */
  COOKIE_SECURE: env.boolean(),
  /** `SameSite` on cookies, `lax` or `strict`. Default `lax`. (`none` would send them on cross-site requests: CSRF's way in.) */
  COOKIE_SAMESITE: env.oneOf(['lax', 'strict']),
  /** The session cookie's base name. Default `session`, sent as `__Host-session` when cookies are Secure. */
  SESSION_COOKIE_NAME: cookieName(),
  /** Session lifetime, 1 minute to 400 days (RFC 6265bis caps cookie lifetimes at 400 days). Bare numbers are seconds. Default `7d`. */
  SESSION_MAX_AGE: env.duration({ min: 60_000, max: 400 * DAY, unit: 's' }),
  /** Expose `/metrics`. Default `true`. */
  METRICS_ENABLED: env.boolean(),
  /** Bearer token `/metrics` requires, at least 16 characters. */
  METRICS_TOKEN: env.secret({ minLength: 16 }).optional(),
  /** The master secret; per-purpose keys are derived from it. Required in production and staging. */
  SECRET_KEY: env.secret(),
  /** Previous master secrets, still accepted for verification during a rotation. Comma- or newline-separated. */
  SECRET_KEY_PREVIOUS: env.list(env.secret({ minLength: 16 })),
  /** A bootstrap admin password for first setup. Refused in production. */
  ADMIN_PASSWORD: env.secret().optional(),
  /** Setting names (e.g. `REDIS_URL`) allowed to reach a non-loopback host without TLS in production. */
  ALLOW_INSECURE_CONNECTIONS: env.list(env.string({ pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, description: 'a setting name' })),
  /** PostgreSQL or SQLite URL, when the app has a database. */
  DATABASE_URL: env.databaseUrl().optional(),
  /** Redis URL, when the app uses Redis (shared rate limits, sessions). */
  REDIS_URL: env.redisUrl().optional(),
};

function origin() {
  return env.origin({ allowWildcard: true });
}

export type RampartSettingsShape = typeof RAMPART_SETTINGS;

/**
 * Defaults as the strings an environment would hold, so every value goes
 * through the same parser and every default is reported with its source.
 * Secure defaults, with why:
 * - cookies are `Secure` (and so `__Host-` prefixed) where there is HTTPS (production-like);
 * - logs are JSON everywhere but development, where people read them;
 * - `TRUST_PROXY` is off: believing forwarding headers is opted into, never assumed.
 */
const COMMON_DEFAULTS: Readonly<Record<string, string>> = {
  DEBUG: 'false',
  TRUST_PROXY: 'false',
  RATE_LIMIT_ENABLED: 'true',
  CORS_ORIGINS: '',
  ALLOWED_HOSTS: '',
  COOKIE_SAMESITE: 'lax',
  SESSION_COOKIE_NAME: 'session',
  SESSION_MAX_AGE: '7d',
  METRICS_ENABLED: 'true',
  SECRET_KEY_PREVIOUS: '',
  ALLOW_INSECURE_CONNECTIONS: '',
};

const PRODUCTION_LIKE_DEFAULTS = { LOG_LEVEL: 'info', LOG_FORMAT: 'json', COOKIE_SECURE: 'true' };

export const PROFILE_DEFAULTS: Readonly<Record<Profile, Readonly<Record<string, string>>>> = {
  development: { LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty', COOKIE_SECURE: 'false' },
  test: { LOG_LEVEL: 'warn', LOG_FORMAT: 'json', COOKIE_SECURE: 'false' },
  staging: PRODUCTION_LIKE_DEFAULTS,
  production: PRODUCTION_LIKE_DEFAULTS,
};

/** Rampart's defaults for a profile: the common ones, then the profile's own. */
export function rampartDefaults(profile: Profile): Readonly<Record<string, string>> {
  return { ...COMMON_DEFAULTS, ...PROFILE_DEFAULTS[profile] };
}
