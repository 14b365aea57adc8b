/** The label value every label of an over-the-cap observation is recorded under. */
export const OVERFLOW_LABEL_VALUE = '_overflow';

/**
 * Bounds the number of label combinations (series) one metric may create.
 * Prometheus keeps every series it has ever seen in memory for the retention
 * period, so one label fed from user input (a raw path, an error message)
 * can take the monitoring down with the service. Past the cap, observations
 * are not dropped: they are folded into one `_overflow` series, so totals and
 * rates stay right, and the overflow is counted so an alert can name it.
 */
export class SeriesGuard {
  /** Admitted series by key, with their label objects, reused on every observation. */
  readonly #seen = new Map<string, Record<string, string> | undefined>();
  readonly #max: number;
  readonly #onOverflow: () => void;
  #overflowLabels: Record<string, string> | undefined;

  constructor(
    max: number,
    readonly labelNames: readonly string[],
    onOverflow: () => void,
  ) {
    this.#max = max;
    this.#onOverflow = onOverflow;
  }

  /** Whether the series named by `key` (its label values joined) may be recorded as it is. */
  admit(key: string): boolean {
    if (this.#seen.has(key)) return true;
    if (this.#seen.size >= this.#max) {
      this.#onOverflow();
      return false;
    }
    this.#seen.set(key, undefined);
    return true;
  }

  /**
   * The label object for the series `key` names, made by `make` the first
   * time and reused after (no allocation per observation on the hot path);
   * the overflow labels once the cap is reached.
   */
  labelsFor(key: string, make: () => Record<string, string>): Record<string, string> {
    const cached = this.#seen.get(key);
    if (cached !== undefined) return cached;
    if (!this.admit(key)) return this.overflowLabels;
    const labels = make();
    this.#seen.set(key, labels);
    return labels;
  }

  /** The labels over-the-cap observations are recorded under. */
  get overflowLabels(): Record<string, string> {
    return (this.#overflowLabels ??= Object.fromEntries(this.labelNames.map((name) => [name, OVERFLOW_LABEL_VALUE])));
  }

  /** `labels` if their series is admitted, else the overflow labels. */
  labels(labels: Record<string, string>): Record<string, string> {
    if (this.labelNames.length === 0) return labels;
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    return this.admit(key) ? labels : this.overflowLabels;
  }

  get size(): number {
    return this.#seen.size;
  }
}
