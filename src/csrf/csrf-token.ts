import { randomBytes } from 'node:crypto';
import type { Keyring } from '../secrets/keyring.js';

/** The keyring purpose CSRF tokens are signed under: their key is derived from the master secret and used for nothing else. */
export const CSRF_KEY_PURPOSE = 'csrf';

/** 128 bits of randomness per token and per anchor (OWASP: at least 64; NIST SP 800-63B: at least 112 for secrets). */
const RANDOM_BYTES = 16;
const RANDOM_CHARS = 22;
const MAC_CHARS = 43;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const BASE36 = /^[0-9a-z]{1,10}$/;

export type TokenVerdict = 'valid' | 'expired' | 'invalid';

/** What a token is bound to: the session, and the browser's anchor cookie. */
export interface TokenBinding {
  /** The session cookie's value, or `''` before sign-in. */
  readonly sessionId: string;
  /** The random per-browser value of the CSRF cookie. */
  readonly anchor: string;
}

/**
 * Signed, session-bound CSRF tokens: OWASP's "signed double-submit cookie",
 * in the HMAC form.
 *
 * `token = expiry "." random "." HMAC(key, len(session):session | len(anchor):anchor | expiry | random)`
 *
 * - the key is derived from the master secret (keyring purpose `csrf`), so a
 *   token cannot be minted without it, and after a rotation tokens made with
 *   the previous secret still verify until it is dropped;
 * - the MAC binds the token to the session and to the browser's CSRF cookie
 *   (the "double submit": the request must carry both the cookie and a token
 *   made for it), so a token taken from another session or browser fails;
 * - every token has fresh randomness, so a page can embed a new one per
 *   render (which also defeats BREACH-style compression oracles);
 * - the expiry is inside the MAC, so a replayed old token fails;
 * - verification compares MACs in constant time (`Keyring.verify`).
 */
export class CsrfTokens {
  readonly #keyring: Keyring;
  readonly #maxAgeSeconds: number;
  readonly #now: () => number;

  constructor(keyring: Keyring, maxAgeSeconds: number, now: () => number = Date.now) {
    this.#keyring = keyring;
    this.#maxAgeSeconds = maxAgeSeconds;
    this.#now = now;
  }

  /** A fresh value for the anchor cookie. */
  static newAnchor(): string {
    return randomBytes(RANDOM_BYTES).toString('base64url');
  }

  /** Whether a cookie value has the shape of an anchor (so a planted junk value is replaced, not trusted). */
  static isAnchor(value: string | undefined): value is string {
    return value !== undefined && value.length === RANDOM_CHARS && BASE64URL.test(value);
  }

  issue(binding: TokenBinding): string {
    const expires = (Math.floor(this.#now() / 1000) + this.#maxAgeSeconds).toString(36);
    const random = randomBytes(RANDOM_BYTES).toString('base64url');
    return `${expires}.${random}.${this.#keyring.sign(CSRF_KEY_PURPOSE, message(binding, expires, random))}`;
  }

  verify(token: string, binding: TokenBinding): TokenVerdict {
    // Shape first: cheap, and keeps arbitrary input away from the MAC.
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first === -1 || second === -1 || token.length !== second + 1 + MAC_CHARS) return 'invalid';
    const expires = token.slice(0, first);
    const random = token.slice(first + 1, second);
    const mac = token.slice(second + 1);
    if (!BASE36.test(expires) || random.length !== RANDOM_CHARS || !BASE64URL.test(random) || !BASE64URL.test(mac)) return 'invalid';
    if (this.#keyring.verify(CSRF_KEY_PURPOSE, message(binding, expires, random), mac) === false) return 'invalid';
    // Checked after the MAC, so an expired verdict is only ever given for a genuine token.
    return parseInt(expires, 36) * 1000 <= this.#now() ? 'expired' : 'valid';
  }
}

function message(binding: TokenBinding, expires: string, random: string): string {
  const { sessionId, anchor } = binding;
  return `${sessionId.length}:${sessionId}|${anchor.length}:${anchor}|${expires}|${random}`;
}
