import { createHash, timingSafeEqual } from 'node:crypto';
import { compileAddressList, type AddressMatcher } from '../client-ip/address-list.js';
import { invalidOption } from '../errors/option-error.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';

/** A secret value: a string, or a `Secret` from Rampart's configuration (anything with `reveal()`). */
export type SecretValue = string | { reveal(): string };

export interface AdminOptions {
  /**
   * Bearer token that unlocks `/metrics` on the main port, `/status` and
   * health check details in production (`Authorization: Bearer <token>`, what
   * Prometheus' `authorization` scrape setting sends). At least 32 characters
   * in staging and production. Default: none.
   */
  token?: SecretValue;
  /**
   * Client addresses or CIDRs that count as admin without a token (the
   * monitoring network), plus the presets `loopback` and `private`. Matched
   * against the client IP as resolved through `trustProxy`. Default: none.
   */
  allow?: readonly string[];
}

/** Whether a request may see operator-only endpoints and details. */
export interface AdminAccess {
  /** False when neither a token nor an allowlist is set: nobody is admin. */
  readonly configured: boolean;
  /** Whether a token is set, so a refusal is a 401 that asks for it. */
  readonly usesToken: boolean;
  granted(state: RequestState, view: RequestView): boolean;
}

/** Long enough that guessing is hopeless even without rate limiting (OWASP: ≥ 128 bits of entropy). */
export const MIN_PRODUCTION_TOKEN_LENGTH = 32;


function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function createAdminAccess(options: AdminOptions | undefined, productionLike: boolean): AdminAccess {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidOption('admin', 'an object', options);
  const raw = options?.token;
  let token: Buffer | undefined;
  if (raw !== undefined) {
    const text = typeof raw === 'string' ? raw : typeof raw === 'object' && raw !== null && typeof raw.reveal === 'function' ? raw.reveal() : undefined;
    if (typeof text !== 'string' || text.length === 0) throw invalidOption('admin.token', 'a non-empty string or Secret', '[redacted]');
    if (productionLike && text.length < MIN_PRODUCTION_TOKEN_LENGTH) {
      throw invalidOption('admin.token', `at least ${MIN_PRODUCTION_TOKEN_LENGTH} characters in staging and production (try \`rampart secret\`)`, '[redacted]');
    }
    // Compare digests, not the strings: equal lengths, so timingSafeEqual
    // leaks neither the token's length nor how much of it matched.
    token = digest(text);
  }
  const list = compileAllowList(options?.allow);
  const expected = token;
  return {
    configured: token !== undefined || list !== undefined,
    usesToken: token !== undefined,
    granted(state, view) {
      if (list !== undefined && list(state.clientIp)) return true;
      if (expected === undefined) return false;
      const header = view.header('authorization');
      if (header === undefined || header.length > 1024 || !/^bearer /i.test(header)) return false;
      return timingSafeEqual(digest(header.slice(7).trim()), expected);
    },
  };
}

function compileAllowList(allow: unknown): AddressMatcher | undefined {
  if (allow === undefined || (Array.isArray(allow) && allow.length === 0)) return undefined;
  return compileAddressList('admin.allow', allow);
}
