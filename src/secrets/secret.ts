import { createHash, timingSafeEqual } from 'node:crypto';
import { REDACTED } from '../log/redact.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A value that must never be printed: a key, a password, a token, a
 * connection string with credentials. Every way JavaScript turns an object
 * into text — `String()`, template literals, `+`, `JSON.stringify` (and so
 * pino), `util.inspect` (and so `console.log`), `util.format('%s')` — yields
 * `[redacted]`. `reveal()` is the only way to read it, so every use of the
 * real value is greppable.
 *
 * The value lives in a private field: `Object.keys`, spreading and
 * `structuredClone` see nothing either.
 *
 * @example
 * const key = new Secret(process.env.API_KEY ?? '');
 * console.log(`key: ${key}`); // key: [redacted]
 * fetch(url, { headers: { authorization: `Bearer ${key.reveal()}` } });
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    if (typeof value !== 'string') throw new TypeError('A Secret holds a string.');
    this.#value = value;
    Object.freeze(this);
  }

  /** The real value. Call it only where the value is used, never to log it. */
  reveal(): string {
    return this.#value;
  }

  /**
   * Constant-time comparison with another secret or a string (a submitted
   * token, a password), so timing does not reveal how much matched. Both
   * sides are hashed first: equal-length buffers for `timingSafeEqual`
   * without leaking the length.
   */
  equals(other: Secret | string): boolean {
    const theirs = other instanceof Secret ? other.reveal() : other;
    if (typeof theirs !== 'string') return false;
    return timingSafeEqual(digest(this.#value), digest(theirs));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return `Secret ${REDACTED}`;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True for a `Secret`. */
export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/** The value of a secret or a plain string: for APIs that accept either. */
export function revealed(value: Secret | string): string {
  return value instanceof Secret ? value.reveal() : value;
}
