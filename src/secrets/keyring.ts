import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { invalidOption } from '../errors/option-error.js';

/** Result of verifying a MAC: which generation of the master secret made it, or false. */
export type Verification = 'current' | 'previous' | false;

const SALT = 'rampart/keyring/v1';
const MIN_SECRET_LENGTH = 16;

/**
 * One master secret (plus the previous ones, during a rotation) from which
 * every per-purpose key is derived with HKDF-SHA256 (RFC 5869): CSRF tokens,
 * cookie signatures and key hashing never share a key, and rotating the
 * master rotates them all. New MACs use the current secret; MACs made with a
 * previous one still verify until it is dropped from the list.
 */
export class Keyring {
  readonly #secrets: readonly string[];
  readonly #derived = new Map<string, readonly Buffer[]>();

  constructor(current: string, previous: readonly string[] = []) {
    for (const [index, secret] of [current, ...previous].entries()) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
        throw invalidOption(index === 0 ? 'secret' : `previousSecrets[${index - 1}]`, `a string of at least ${MIN_SECRET_LENGTH} characters`, '[redacted]');
      }
    }
    this.#secrets = Object.freeze([current, ...previous]);
  }

  /** The keys for a purpose, current first. Derived once per purpose. */
  keys(purpose: string): readonly Buffer[] {
    let keys = this.#derived.get(purpose);
    if (keys === undefined) {
      keys = Object.freeze(this.#secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, SALT, `rampart:${purpose}`, 32))));
      this.#derived.set(purpose, keys);
    }
    return keys;
  }

  /** HMAC-SHA256 of `message` under the current key for `purpose`, base64url. */
  sign(purpose: string, message: string): string {
    return createHmac('sha256', this.keys(purpose)[0] as Buffer)
      .update(message)
      .digest('base64url');
  }

  /** Constant-time check of `mac` against every key generation for `purpose`. */
  verify(purpose: string, message: string, mac: string): Verification {
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== 32) return false;
    const keys = this.keys(purpose);
    for (let i = 0; i < keys.length; i++) {
      const expected = createHmac('sha256', keys[i] as Buffer)
        .update(message)
        .digest();
      if (timingSafeEqual(expected, given)) return i === 0 ? 'current' : 'previous';
    }
    return false;
  }

  /** Keyed hash for storing identifiers (IPs, API keys) without storing them: same input, same output. */
  hash(purpose: string, value: string): string {
    return this.sign(purpose, value);
  }

  /** Never prints the secrets. */
  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Keyring [redacted]';
  }
}
