import { invalidOption } from '../errors/option-error.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** The longest window or block Rampart accepts: a week. Longer limits belong in a billing system. */
export const MAX_DURATION_MS = 7 * 86_400_000;

/**
 * A duration option as milliseconds: a number of ms, or text like `'30s'`,
 * `'1m'`, `'1h'`, `'1d'`. Whole milliseconds, from 1 ms to a week.
 */
export function parseDuration(option: string, value: unknown): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (match !== null) ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 1 || ms > MAX_DURATION_MS || !Number.isInteger(ms)) {
    throw invalidOption(option, "a duration: whole milliseconds from 1 to 604800000, or text like '30s', '1m', '1h', '1d'", value);
  }
  return ms;
}
