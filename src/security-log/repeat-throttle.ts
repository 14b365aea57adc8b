/** Clients remembered at once; past it the stalest is forgotten (its next rejection is logged again). */
const MAX_TRACKED = 10_000;

/**
 * Decides which repeats of an event get a log line: the first for a key,
 * then at most one per interval, carrying how many it stands for.
 *
 * Why: a client hammering a rate-limited route is rejected thousands of
 * times a second, and one security line per rejection would let it flood
 * the audit log (and the disk) for free. The first rejection of a client by
 * a rule still shows at once; every rejection is still counted in
 * `rampart_rate_limit_decisions_total` and on its access-log line.
 */
export class RepeatThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** key → when the last line was written, and the repeats since. Insertion order is staleness order. */
  readonly #seen = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(intervalMs: number, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Undefined to skip this occurrence; else the number of occurrences skipped since the key's last line. */
  admit(key: string): number | undefined {
    if (this.#intervalMs === 0) return 0;
    const now = this.#now();
    const entry = this.#seen.get(key);
    if (entry !== undefined && now - entry.loggedAt < this.#intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.#seen.delete(key);
    if (this.#seen.size >= MAX_TRACKED) this.#seen.delete(this.#seen.keys().next().value as string);
    this.#seen.set(key, { loggedAt: now, suppressed: 0 });
    return suppressed;
  }
}
