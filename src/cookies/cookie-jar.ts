import { invalidOption } from '../errors/option-error.js';
import { isProductionLike, type Profile } from '../profile/profile.js';
import type { Keyring } from '../secrets/keyring.js';
import { decodeCookieValue, isCookieName, parseCookieHeader } from './parse.js';
import { MAX_COOKIE_AGE_SECONDS, serializeCookie, type SameSite } from './serialize.js';

export interface CookieOptions {
  /** Base name of the session cookie (`SESSION_COOKIE_NAME`). Default `session`, sent as `__Host-session` when cookies are Secure. */
  sessionName?: string;
  /** Session cookie lifetime in seconds (`SESSION_MAX_AGE`). Default 604800 (7 days); at most 400 days. */
  sessionMaxAge?: number;
  /** `SameSite` for cookies written without one. Default `lax`; `strict` keeps cookies off every cross-site navigation too. */
  sameSite?: 'lax' | 'strict';
  /**
   * `Secure` and the `__Host-` name prefix. Default: on in `staging` and
   * `production`, off otherwise (browsers drop Secure cookies on plain-HTTP
   * hosts other than localhost). Turning it off in those profiles is refused.
   */
  secure?: boolean;
}

/** Per-cookie choices when writing one. */
export interface SetCookieOptions {
  /** Seconds. Default: the session max age. 0 deletes. */
  maxAge?: number;
  /** Default true: scripts cannot read it. */
  httpOnly?: boolean;
  /** Default: the jar's `sameSite`. `none` needs Secure cookies. */
  sameSite?: SameSite;
  /** Default `/`. Any other path loses the `__Host-` prefix for `__Secure-` (the prefix requires `Path=/`). */
  path?: string;
  /** Default true: HMAC-signed with the keyring's `cookie` key. */
  signed?: boolean;
}

/** A cookie read back: its value, and whether it was signed with a previous key (write it again to re-sign it). */
export interface CookieValue {
  readonly value: string;
  readonly rotated: boolean;
}

/** A `Cookie` header, or cookies already parsed from it. */
export type CookieSource = string | null | undefined | Readonly<Record<string, string>>;

/**
 * OWASP Session Management guidance: a bounded lifetime rather than
 * "remember forever"; a week covers the usual "stay signed in" while the
 * server-side session enforces its own idle and absolute timeouts.
 */
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
const SIGNING_PURPOSE = 'cookie';

/**
 * Writes and reads cookies with the profile's safe defaults: `HttpOnly`,
 * `SameSite=Lax`, `Path=/`, no `Domain` (host-only, so sibling subdomains
 * never receive it), a bounded `Max-Age`, and in staging/production `Secure`
 * with the `__Host-` prefix, which browsers only accept from a secure origin,
 * without `Domain` and with `Path=/`, so a sibling subdomain cannot plant or
 * overwrite it (RFC 6265bis §4.1.3.2).
 *
 * Values are HMAC-signed with a key derived from the master secret and bound
 * to the cookie's name; after a key rotation, cookies signed with a previous
 * secret still read (with `rotated: true`) and are re-signed with the current
 * key whenever they are written again.
 */
export class CookieJar {
  /** Whether cookies are `Secure` and prefixed. */
  readonly secure: boolean;
  /** The session cookie's full name, prefix included. */
  readonly sessionName: string;
  readonly sessionMaxAge: number;
  readonly sameSite: 'lax' | 'strict';
  readonly #keyring: Keyring;
  readonly #sessionBase: string;
  readonly #names = new Map<string, string>();

  constructor(keyring: Keyring, profile: Profile, options: CookieOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption('cookies', 'an object', options);
    this.#keyring = keyring;
    const productionLike = isProductionLike(profile);
    const secure = options.secure ?? productionLike;
    if (typeof secure !== 'boolean') throw invalidOption('cookies.secure', 'a boolean', secure);
    if (!secure && productionLike) throw invalidOption('cookies.secure', `true in the ${profile} profile (cookies over plain HTTP can be read and planted by the network)`, secure);
    this.secure = secure;
    const sameSite = options.sameSite ?? 'lax';
    if (sameSite !== 'lax' && sameSite !== 'strict') throw invalidOption('cookies.sameSite', '"lax" or "strict"', sameSite);
    this.sameSite = sameSite;
    const maxAge = options.sessionMaxAge ?? DEFAULT_SESSION_MAX_AGE_SECONDS;
    if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 1 || maxAge > MAX_COOKIE_AGE_SECONDS) {
      throw invalidOption('cookies.sessionMaxAge', `whole seconds from 1 to ${MAX_COOKIE_AGE_SECONDS} (400 days)`, maxAge);
    }
    this.sessionMaxAge = maxAge;
    this.#sessionBase = validBase('cookies.sessionName', options.sessionName ?? 'session');
    this.sessionName = this.name(this.#sessionBase);
  }

  /** The full name for a base name: `__Host-<base>` when Secure with `Path=/`, `__Secure-<base>` on another path. */
  name(base: string, path = '/'): string {
    if (!this.secure) return base;
    const key = path === '/' ? base : `${base}\0`;
    let full = this.#names.get(key);
    if (full === undefined) {
      full = `${path === '/' ? '__Host-' : '__Secure-'}${validBase('cookie name', base)}`;
      this.#names.set(key, full);
    }
    return full;
  }

  /**
   * A `Set-Cookie` value. Set it with your framework's header call, which
   * appends rather than replaces: `reply.header('set-cookie', …)` (Fastify),
   * `res.append('Set-Cookie', …)` (Express), `headers.append(…)` (fetch).
   *
   * @example
   * reply.header('set-cookie', app.rampart.cookies.serialize('theme', 'dark', { httpOnly: false }));
   */
  serialize(base: string, value: string, options: SetCookieOptions = {}): string {
    const path = options.path ?? '/';
    const name = this.name(base, path);
    const encoded = encodeURIComponent(value);
    const stored = options.signed === false ? encoded : `${encoded}.${this.#keyring.sign(SIGNING_PURPOSE, `${name}=${encoded}`)}`;
    return serializeCookie(name, stored, {
      maxAge: options.maxAge ?? this.sessionMaxAge,
      httpOnly: options.httpOnly ?? true,
      secure: this.secure,
      sameSite: options.sameSite ?? this.sameSite,
      path,
    });
  }

  /** The session cookie carrying `sessionId`, with the configured lifetime. */
  session(sessionId: string): string {
    return this.serialize(this.#sessionBase, sessionId);
  }

  /** Deletes the session cookie (sign-out). */
  clearSession(): string {
    return this.clear(this.#sessionBase);
  }

  /** The verified session id from a `Cookie` header, or undefined. */
  readSession(source: CookieSource): CookieValue | undefined {
    return this.read(source, this.#sessionBase);
  }

  /** A `Set-Cookie` value that deletes the cookie (same name, path and prefix, `Max-Age=0`). */
  clear(base: string, options: Pick<SetCookieOptions, 'path'> = {}): string {
    return this.serialize(base, '', { maxAge: 0, signed: false, ...options });
  }

  /** All cookies of a `Cookie` header, bounded and strict (see `parseCookieHeader`). */
  parse(header: string | null | undefined): Record<string, string> {
    return parseCookieHeader(header);
  }

  /** A cookie's verified value, or undefined when absent, unsigned, forged or signed with an unknown key. */
  get(source: CookieSource, base: string, options: Pick<SetCookieOptions, 'path' | 'signed'> = {}): string | undefined {
    return this.read(source, base, options)?.value;
  }

  /** Like `get`, and tells whether the signature came from a previous key, so the caller can write the cookie again. */
  read(source: CookieSource, base: string, options: Pick<SetCookieOptions, 'path' | 'signed'> = {}): CookieValue | undefined {
    const name = this.name(base, options.path ?? '/');
    const cookies = typeof source === 'object' && source !== null ? source : parseCookieHeader(source);
    const raw = cookies[name];
    if (raw === undefined) return undefined;
    if (options.signed === false) {
      const value = decodeCookieValue(raw);
      return value === undefined ? undefined : { value, rotated: false };
    }
    const dot = raw.lastIndexOf('.');
    if (dot === -1) return undefined;
    const encoded = raw.slice(0, dot);
    const verification = this.#keyring.verify(SIGNING_PURPOSE, `${name}=${encoded}`, raw.slice(dot + 1));
    if (verification === false) return undefined;
    const value = decodeCookieValue(encoded);
    return value === undefined ? undefined : { value, rotated: verification === 'previous' };
  }
}

function validBase(option: string, base: unknown): string {
  if (typeof base !== 'string' || !isCookieName(base) || base.startsWith('__')) throw invalidOption(option, 'a cookie name (an RFC 6265 token, without a __ prefix)', base);
  return base;
}
