import type { RampartCode } from './codes.js';

/**
 * A programming or configuration mistake found by Rampart, thrown at
 * construction or startup. Its `code` is one of `RAMPART_CODES`.
 */
export class RampartError extends TypeError {
  readonly code: RampartCode;

  constructor(code: RampartCode, message: string) {
    super(message);
    this.name = 'RampartError';
    this.code = code;
  }
}

/** The coded error for a bad option: names the option, what it accepts and what it got. */
export function invalidOption(option: string, expected: string, received: unknown): RampartError {
  return new RampartError('RAMPART_INVALID_OPTION', `Invalid option "${option}": expected ${expected}, got ${describe(received)}.`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
