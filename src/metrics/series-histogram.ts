import type { Registry } from 'prom-client';

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels: Readonly<Record<string, string>>;
  value: number;
  metricName: string;
}

interface MetricSnapshot {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: readonly object[];
}

/** One label combination of a `SeriesHistogram`: bucket counts, sum and count. */
export class HistogramSeries {
  /** Per-bucket (not cumulative) counts; the last slot is `+Inf`. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.#counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++;
    (this.#counts[bucket] as number)++;
    this.#sum += value;
    this.#count++;
  }

  /**
   * The value records prom-client's registry renders: cumulative `_bucket`s,
   * then `_sum` and `_count`. As prom-client's Histogram does, `le` is the
   * record's own label and the series' labels are shared, so the text is the same.
   */
  exported(name: string): ExportedValue[] {
    const sharedLabels = this.labels;
    const values: ExportedValue[] = [];
    let cumulative = 0;
    for (let i = 0; i <= this.bounds.length; i++) {
      cumulative += this.#counts[i] as number;
      values.push({ labels: { le: this.bounds[i] ?? '+Inf' }, sharedLabels, value: cumulative, metricName: `${name}_bucket` });
    }
    values.push({ labels: {}, sharedLabels, value: this.#sum, metricName: `${name}_sum` }, { labels: {}, sharedLabels, value: this.#count, metricName: `${name}_count` });
    return values;
  }

  clear(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }
}

/**
 * A histogram whose series are resolved once and then observed directly.
 *
 * Why not prom-client's `Histogram`: its `observe(labels, value)` validates
 * and re-hashes the label object on every call (about 0.7 µs), and the
 * request-duration histogram is observed on every request. Here the pipeline
 * keeps the `HistogramSeries` of each route × method × status and an
 * observation is a bucket search and three additions (`npm run bench:metrics`).
 * It registers on a prom-client `Registry` like any metric (the registry
 * reads `get()`), so the scrape output, default labels and `resetMetrics()`
 * are prom-client's own.
 */
export class SeriesHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #bounds: readonly number[];
  readonly #series = new Map<Readonly<Record<string, string>>, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    registry: Registry,
  ) {
    this.#bounds = Object.freeze([...buckets].sort((a, b) => a - b));
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series for this label object, created on first use; pass the same object each time (it is the key). */
  series(labels: Readonly<Record<string, string>>): HistogramSeries {
    let series = this.#series.get(labels);
    if (series === undefined) this.#series.set(labels, (series = new HistogramSeries(labels, this.#bounds)));
    return series;
  }

  /** What the registry renders the exposition text from (prom-client calls this in preference to `get()`). */
  getForPromString(): Promise<MetricSnapshot> {
    return Promise.resolve(this.#snapshot([...this.#series.values()].flatMap((series) => series.exported(this.name))));
  }

  /** prom-client's `metric.get()` (used by `getMetricsAsJSON()`): the series' labels merged into each value's. */
  get(): Promise<MetricSnapshot> {
    const values = [...this.#series.values()].flatMap((series) => series.exported(this.name));
    // Shaped as prom-client's Histogram shapes it, down to the empty exemplar slots.
    const splayed = values.map(({ labels, sharedLabels, value, metricName }) => ({ value, labels: { ...labels, ...sharedLabels }, metricName, exemplar: 'le' in labels ? null : undefined }));
    return Promise.resolve({ ...this.#snapshot([]), values: splayed });
  }

  #snapshot(values: ExportedValue[]): MetricSnapshot {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Called by `registry.resetMetrics()`: zeroes every series (holders keep observing the same objects). */
  reset(): void {
    for (const series of this.#series.values()) series.clear();
  }
}
