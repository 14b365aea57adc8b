import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CheckStatus } from '../checks/check.js';
import { invalidOption } from '../errors/option-error.js';
import { UNMATCHED_ROUTE } from '../log/access-log.js';
import type { RequestState } from '../pipeline/request-state.js';
import { SeriesGuard } from './series-guard.js';
import { SeriesHistogram, type HistogramSeries } from './series-histogram.js';

export interface MetricsOptions {
  /** Path of the scrape endpoint. Default `/metrics`. */
  path?: string;
  /**
   * Serve `/metrics` on this separate port (bound to `host`) instead of the
   * main one; Prometheus' exporter convention is 9464. `0` picks a free port.
   * Default: the main port, behind `admin.token` / `admin.allow` in production.
   */
  port?: number;
  /** Interface of the admin port. Default `127.0.0.1`. */
  host?: string;
  /** Series one metric may create before the rest fold into `_overflow`. Default 2000. */
  maxSeries?: number;
  /** prom-client's process metrics (CPU, memory, event loop lag, GC, handles). Default true. */
  processMetrics?: boolean;
  /** Labels added to every series, e.g. `{ service: 'notes' }`. Default none. */
  defaultLabels?: Readonly<Record<string, string>>;
}

/** An application counter on Rampart's registry; label values are capped like Rampart's own. */
export interface AppCounter<L extends string = string> {
  inc(labels?: Partial<Record<L, string | number>>, value?: number): void;
}

/** An application histogram on Rampart's registry. */
export interface AppHistogram<L extends string = string> {
  observe(labels: Partial<Record<L, string | number>>, value: number): void;
  /** Starts a timer; calling the returned function observes the elapsed seconds. */
  startTimer(labels?: Partial<Record<L, string | number>>): (extraLabels?: Partial<Record<L, string | number>>) => number;
}

/** An application gauge on Rampart's registry. */
export interface AppGauge<L extends string = string> {
  set(labels: Partial<Record<L, string | number>>, value: number): void;
  inc(labels?: Partial<Record<L, string | number>>, value?: number): void;
  dec(labels?: Partial<Record<L, string | number>>, value?: number): void;
}

export interface MetricDefinition<L extends string = string> {
  /** Prometheus name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, with a unit suffix (`_seconds`, `_bytes`, `_total`). */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

/**
 * The status recorded (access log, metrics) for a request whose client went
 * away before the response was sent; nginx's "client closed request".
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * OpenTelemetry's recommended buckets for `http.server.request.duration`
 * (semantic conventions, HTTP metrics), in seconds.
 */
export const HTTP_DURATION_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);

/** OTel HTTP semantic conventions: methods outside RFC 9110 (+ PATCH) are recorded as `_OTHER`. */
const METHOD_NAMES: readonly string[] = ['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', '_OTHER'];
const METHOD_INDEX = new Map(METHOD_NAMES.slice(0, -1).map((name, index) => [name, index]));
const OTHER_METHOD_INDEX = METHOD_NAMES.length - 1;
const CHECK_STATUS_VALUE: Readonly<Record<CheckStatus, number>> = { pass: 1, warn: 0.5, fail: 0 };
const MISNAMED_PROCESS_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
const DEFAULT_MAX_SERIES = 2000;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Rampart's Prometheus registry: HTTP metrics following OpenTelemetry's
 * conventions, Rampart's own counters, process metrics, and the app's
 * metrics. One registry per Rampart, never prom-client's global one, so two
 * apps in one process (or one test file) never collide.
 */
export class RampartMetrics {
  readonly registry = new Registry();
  readonly #maxSeries: number;
  readonly #overflow: Counter<'metric'>;
  readonly #duration: SeriesHistogram;
  readonly #durationGuard: SeriesGuard;
  readonly #durationSeries = new Map<string, Map<number, HistogramSeries>>();
  readonly #errors: Counter<'code'>;
  readonly #errorsGuard: SeriesGuard;
  readonly #checkStatus: Gauge<'check'>;
  readonly #checkDuration: Gauge<'check'>;
  readonly #checkGuard: SeriesGuard;
  readonly #app = new Map<string, { kind: string; labelNames: string; handle: unknown }>();
  #active = 0;
  #processMetrics: boolean;

  constructor(options: MetricsOptions, gauges: { ready: () => Promise<boolean>; shuttingDown: () => boolean; logWriteErrors: () => number }) {
    this.#maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    if (!Number.isInteger(this.#maxSeries) || this.#maxSeries < 1) throw invalidOption('metrics.maxSeries', 'a positive integer', options.maxSeries);
    this.#processMetrics = options.processMetrics ?? true;
    if (typeof this.#processMetrics !== 'boolean') throw invalidOption('metrics.processMetrics', 'a boolean', options.processMetrics);
    if (options.defaultLabels !== undefined) {
      for (const [name, value] of Object.entries(options.defaultLabels)) {
        if (!LABEL_NAME.test(name) || typeof value !== 'string') throw invalidOption(`metrics.defaultLabels.${name}`, 'a label name with a string value', value);
      }
      this.registry.setDefaultLabels(options.defaultLabels);
    }
    const registers = [this.registry];

    this.#overflow = new Counter({
      name: 'rampart_metrics_label_overflow_total',
      help: 'Observations folded into the _overflow series because a metric reached its series cap.',
      labelNames: ['metric'],
      registers,
    });
    this.#duration = new SeriesHistogram('http_server_request_duration_seconds', 'Duration of HTTP server requests.', HTTP_DURATION_BUCKETS, this.registry);
    this.#durationGuard = this.guard('http_server_request_duration_seconds', ['http_request_method', 'http_route', 'http_response_status_code']);
    const active = (): number => this.#active;
    new Gauge({
      name: 'http_server_active_requests',
      help: 'Number of HTTP server requests in flight.',
      registers,
      collect() {
        this.set(active());
      },
    });
    this.#errors = new Counter({ name: 'rampart_errors_total', help: 'Error responses by problem code.', labelNames: ['code'], registers });
    this.#errorsGuard = this.guard('rampart_errors_total', ['code']);
    this.#checkStatus = new Gauge({ name: 'rampart_health_check_status', help: 'Last result of each health check: 1 pass, 0.5 warn, 0 fail.', labelNames: ['check'], registers });
    this.#checkDuration = new Gauge({ name: 'rampart_health_check_duration_seconds', help: 'How long the last run of each health check took.', labelNames: ['check'], registers });
    this.#checkGuard = this.guard('rampart_health_check_status', ['check']);
    new Gauge({
      name: 'rampart_ready',
      help: '1 when the readiness probe passes, else 0.',
      registers,
      // Evaluated per scrape, through the same cached, coalesced checks as the probe.
      async collect() {
        this.set((await gauges.ready()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'rampart_shutdown_in_progress',
      help: '1 once graceful shutdown has started.',
      registers,
      collect() {
        this.set(gauges.shuttingDown() ? 1 : 0);
      },
    });
    new Counter({
      name: 'rampart_log_write_errors_total',
      help: 'Log lines the destination failed to write (disk full, closed pipe).',
      registers,
      collect() {
        this.reset();
        this.inc(gauges.logWriteErrors());
      },
    });
  }

  /** A series cap for a metric of this registry; over-the-cap observations are counted per metric. */
  guard(metric: string, labelNames: readonly string[]): SeriesGuard {
    return new SeriesGuard(this.#maxSeries, labelNames, () => this.#overflow.inc({ metric }));
  }

  /** Called by the pipeline when a request enters. */
  requestStarted(): void {
    this.#active++;
  }

  /** Called by the pipeline once per request, when its response is done. */
  requestFinished(state: RequestState, status: number): void {
    this.#active--;
    const route = state.route ?? UNMATCHED_ROUTE;
    const methodIndex = METHOD_INDEX.get(state.method) ?? OTHER_METHOD_INDEX;
    // Series are looked up by route, then by status and method packed in one
    // number: no string building or allocation for a known series.
    const slot = status * 16 + methodIndex;
    const series = this.#durationSeries.get(route)?.get(slot) ?? this.#newDurationSeries(route, slot, methodIndex, status);
    series.observe((performance.now() - state.startedAt) / 1000);
    const code = state.problemCode;
    if (code !== undefined) this.#errors.inc(this.#errorsGuard.labelsFor(code, () => ({ code })));
  }

  /** Records a health check's result (called by the health registry after each real run). */
  recordCheck(check: string, status: CheckStatus, durationMs: number): void {
    const labels = this.#checkGuard.labels({ check });
    this.#checkStatus.set(labels, CHECK_STATUS_VALUE[status]);
    this.#checkDuration.set(labels, durationMs / 1000);
  }

  #newDurationSeries(route: string, slot: number, methodIndex: number, status: number): HistogramSeries {
    const method = METHOD_NAMES[methodIndex] as string;
    const labels = this.#durationGuard.labelsFor(`${method}\u0000${route}\u0000${status}`, () => ({
      http_request_method: method,
      http_route: route,
      http_response_status_code: String(status),
    }));
    const series = this.#duration.series(labels);
    // Over the cap: not remembered, so every such observation is counted as overflow.
    if (labels === this.#durationGuard.overflowLabels) return series;
    let byRoute = this.#durationSeries.get(route);
    if (byRoute === undefined) this.#durationSeries.set(route, (byRoute = new Map()));
    byRoute.set(slot, series);
    return series;
  }

  /** The exposition text and its content type. Process metrics start collecting at the first scrape. */
  async render(): Promise<{ body: string; contentType: string }> {
    if (this.#processMetrics) {
      this.#processMetrics = false;
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters (`promtool check metrics` rejects them);
      // each is the sum of its unsuffixed, per-type twin, which stays.
      for (const name of MISNAMED_PROCESS_GAUGES) this.registry.removeSingleMetric(name);
    }
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /**
   * Registers (or returns, when already registered with the same labels) an
   * application counter. Registering twice is not an error, so a module or
   * plugin that runs twice does not crash the app.
   *
   * @example
   * const signups = rampart.metrics.counter({ name: 'notes_signups_total', help: 'Accounts created.', labelNames: ['plan'] });
   * signups.inc({ plan: 'free' });
   */
  counter<L extends string>(definition: MetricDefinition<L>): AppCounter<L> {
    return this.#define('counter', definition, (labelNames) => {
      const metric = new Counter({ name: definition.name, help: definition.help, labelNames, registers: [this.registry] });
      const guard = this.guard(definition.name, labelNames);
      return { inc: (labels = {}, value = 1) => metric.inc(guard.labels(stringify(labels)), value) };
    });
  }

  /** Registers (or returns) an application histogram. Default buckets: OpenTelemetry's HTTP duration buckets. */
  histogram<L extends string>(definition: MetricDefinition<L> & { buckets?: readonly number[] }): AppHistogram<L> {
    return this.#define('histogram', definition, (labelNames) => {
      const buckets = [...(definition.buckets ?? HTTP_DURATION_BUCKETS)];
      const metric = new Histogram({ name: definition.name, help: definition.help, labelNames, buckets, registers: [this.registry] });
      const guard = this.guard(definition.name, labelNames);
      return {
        observe: (labels, value) => metric.observe(guard.labels(stringify(labels)), value),
        startTimer: (labels = {}) => {
          const started = performance.now();
          return (extra = {}) => {
            const seconds = (performance.now() - started) / 1000;
            metric.observe(guard.labels(stringify({ ...labels, ...extra })), seconds);
            return seconds;
          };
        },
      } satisfies AppHistogram<L>;
    });
  }

  /** Registers (or returns) an application gauge. */
  gauge<L extends string>(definition: MetricDefinition<L>): AppGauge<L> {
    return this.#define('gauge', definition, (labelNames) => {
      const metric = new Gauge({ name: definition.name, help: definition.help, labelNames, registers: [this.registry] });
      const guard = this.guard(definition.name, labelNames);
      return {
        set: (labels, value) => metric.set(guard.labels(stringify(labels)), value),
        inc: (labels = {}, value = 1) => metric.inc(guard.labels(stringify(labels)), value),
        dec: (labels = {}, value = 1) => metric.dec(guard.labels(stringify(labels)), value),
      } satisfies AppGauge<L>;
    });
  }

  #define<H>(kind: string, definition: MetricDefinition, make: (labelNames: string[]) => H): H {
    if (typeof definition !== 'object' || definition === null) throw invalidOption(`metrics.${kind}`, 'a metric definition', definition);
    const { name, help } = definition;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) throw invalidOption(`metrics.${kind}.name`, 'a Prometheus metric name', name);
    if (typeof help !== 'string' || help === '') throw invalidOption(`metrics.${kind}.help`, 'a non-empty string', help);
    const labelNames = [...(definition.labelNames ?? [])];
    for (const label of labelNames) {
      if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__')) throw invalidOption(`metrics.${kind}.labelNames`, 'Prometheus label names', label);
    }
    const signature = labelNames.join(',');
    const existing = this.#app.get(name);
    if (existing !== undefined) {
      if (existing.kind !== kind || existing.labelNames !== signature) {
        throw invalidOption(`metrics.${kind}.name`, `a name not already used by a ${existing.kind} with labels [${existing.labelNames}]`, name);
      }
      return existing.handle as H;
    }
    if (this.registry.getSingleMetric(name) !== undefined) throw invalidOption(`metrics.${kind}.name`, "a name not used by Rampart's own metrics", name);
    const handle = make(labelNames);
    this.#app.set(name, { kind, labelNames: signature, handle });
    return handle;
  }
}

function stringify(labels: Readonly<Record<string, string | number | undefined>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const key in labels) {
    const value = labels[key];
    if (value !== undefined) result[key] = String(value);
  }
  return result;
}
