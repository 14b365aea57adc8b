/** Units a duration may be written in, and their length in milliseconds. */
export const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/**
 * `500ms`, `30s`, `15m`, `2h`, `7d`, `2w` or a sum like `1h30m`, as
 * milliseconds; a bare number counts in `bareUnit` when one is given.
 * Undefined for anything else (negative, unknown unit, stray text).
 */
export function parseDuration(raw: string, bareUnit?: DurationUnit): number | undefined {
  const text = raw.trim().toLowerCase();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return bareUnit === undefined ? undefined : Math.round(Number(text) * DURATION_UNITS[bareUnit]);
  let total = 0;
  PART.lastIndex = 0;
  let end = 0;
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    total += Number(match[1]) * DURATION_UNITS[match[2] as DurationUnit];
    end = PART.lastIndex;
  }
  if (end !== text.length) return undefined;
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** The largest whole unit that fits, for messages: `90000` → `90s`, `86400000` → `1d`. */
export function formatDuration(ms: number): string {
  const units = Object.entries(DURATION_UNITS).reverse() as [DurationUnit, number][];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
