import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

/** The ids of the span this request runs in. */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
}

interface OtelTraceApi {
  getActiveSpan(): { spanContext(): { traceId: string; spanId: string } } | undefined;
  isSpanContextValid?(context: { traceId: string; spanId: string }): boolean;
}

/**
 * `@opentelemetry/api`'s trace API when the app has it installed, loaded once.
 * Rampart never depends on it: without it (or without a registered context
 * manager) there is simply no active span.
 */
const otelTrace: OtelTraceApi | undefined = (() => {
  try {
    return (createRequire(import.meta.url)('@opentelemetry/api') as { trace?: OtelTraceApi }).trace;
  } catch {
    return undefined;
  }
})();

/**
 * The active OpenTelemetry span's ids, when an instrumentation (the
 * OpenTelemetry SDK's HTTP instrumentation, Sentry) has started one for this
 * request: Rampart's log lines then carry the ids the traces are stored under.
 */
export function activeSpanIds(): SpanIds | undefined {
  const span = otelTrace?.getActiveSpan();
  if (span === undefined) return undefined;
  const context = span.spanContext();
  if (otelTrace?.isSpanContextValid !== undefined && !otelTrace.isSpanContextValid(context)) return undefined;
  return { traceId: context.traceId, spanId: context.spanId };
}

/** A W3C Trace Context span id (§3.2.2.4): 8 random bytes, lower-case hex. */
export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}
