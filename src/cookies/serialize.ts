import { invalidOption } from '../errors/option-error.js';
import { isCookieName } from './parse.js';

export type SameSite = 'lax' | 'strict' | 'none';

/** The attributes of one `Set-Cookie` line (RFC 6265bis §4.1). */
export interface CookieAttributes {
  /** Seconds; 0 deletes the cookie. Omitted: a session cookie (gone when the browser session ends). */
  maxAge?: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite: SameSite;
  path: string;
}

/** RFC 6265bis §5.5: browsers cap `Max-Age` at 400 days, so a longer one is a mistake. */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

/** Browsers drop a cookie whose name and value exceed 4096 bytes (RFC 6265 §6.1 minimum, which they implement as the maximum). */
export const MAX_COOKIE_BYTES = 4096;

const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/;

/**
 * One `Set-Cookie` header value. The value must already be cookie-safe
 * (the jar percent-encodes it); the name must be a token. Throws a
 * `RampartError` for anything a browser would silently drop or misread.
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!isCookieName(name)) throw invalidOption('cookie name', 'an RFC 6265 token', name);
  if (name.length + value.length > MAX_COOKIE_BYTES) throw invalidOption(`cookie "${name}"`, `a name and value under ${MAX_COOKIE_BYTES} bytes`, `${name.length + value.length} bytes`);
  if (!PATH.test(attributes.path)) throw invalidOption('cookie path', 'a path starting with "/" without ";" or spaces', attributes.path);
  let line = `${name}=${value}; Path=${attributes.path}`;
  if (attributes.maxAge !== undefined) {
    const maxAge = attributes.maxAge;
    if (!Number.isSafeInteger(maxAge) || maxAge < 0 || maxAge > MAX_COOKIE_AGE_SECONDS) {
      throw invalidOption('cookie maxAge', `whole seconds from 0 to ${MAX_COOKIE_AGE_SECONDS} (400 days)`, maxAge);
    }
    line += `; Max-Age=${maxAge}`;
  }
  if (attributes.httpOnly) line += '; HttpOnly';
  if (attributes.secure) line += '; Secure';
  switch (attributes.sameSite) {
    case 'lax':
      return `${line}; SameSite=Lax`;
    case 'strict':
      return `${line}; SameSite=Strict`;
    case 'none':
      // Browsers reject SameSite=None without Secure (RFC 6265bis §5.6.7).
      if (!attributes.secure) throw invalidOption('cookie sameSite', '"lax" or "strict" when cookies are not Secure', 'none');
      return `${line}; SameSite=None`;
    default:
      throw invalidOption('cookie sameSite', '"lax", "strict" or "none"', attributes.sameSite satisfies never);
  }
}
