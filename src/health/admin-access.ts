import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { normalizeIp } from '../client-ip/ip-address.js';
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

const PRESETS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

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
      if (list !== undefined && state.clientIp !== 'unknown' && list.check(state.clientIp, state.clientIp.includes(':') ? 'ipv6' : 'ipv4')) return true;
      if (expected === undefined) return false;
      const header = view.header('authorization');
      if (header === undefined || header.length > 1024 || !/^bearer /i.test(header)) return false;
      return timingSafeEqual(digest(header.slice(7).trim()), expected);
    },
  };
}

function compileAllowList(allow: unknown): BlockList | undefined {
  if (allow === undefined) return undefined;
  if (!Array.isArray(allow)) throw invalidOption('admin.allow', 'a list of addresses, CIDRs or presets', allow);
  if (allow.length === 0) return undefined;
  const list = new BlockList();
  const add = (entry: unknown): void => {
    if (typeof entry !== 'string') throw invalidOption('admin.allow[]', 'an address, a CIDR or a preset name', entry);
    const preset = PRESETS[entry];
    if (preset !== undefined) return preset.forEach(add);
    const [address = '', prefixText] = entry.split('/');
    const ip = normalizeIp(address);
    const family = ip === undefined ? 0 : isIP(ip);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (ip === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw invalidOption('admin.allow[]', `an address, a CIDR or one of ${Object.keys(PRESETS).join(', ')}`, entry);
    }
    list.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
  };
  allow.forEach(add);
  return list;
}
