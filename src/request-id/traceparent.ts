/** A parsed W3C Trace Context `traceparent` header. */
export interface TraceParent {
  readonly traceId: string;
  /** The caller's span: the parent of the span this request is. */
  readonly parentSpanId: string;
  readonly sampled: boolean;
}

// W3C Trace Context §3.2: version "00" is exactly 55 characters; later
// versions may append fields after another dash, which we ignore.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** Parses `traceparent`; anything malformed is treated as absent, as §3.2 requires. */
export function parseTraceParent(header: string | undefined): TraceParent | undefined {
  if (header === undefined || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // §3.2.2.1: version ff is invalid; version 00 allows no trailing fields.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || parentSpanId === ZERO_SPAN_ID) return undefined;
  return { traceId, parentSpanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}
