import { finding, type CheckId } from '../catalog.js';
import { formatBytes } from '../plan.js';
import type { Exchange, Observations } from '../probes.js';
import type { Finding, Outcome } from '../types.js';
import { findLeaks, HEADERS_TO_REMOVE, VERSIONED_SERVER } from './disclosure.js';
import type { ProbeResponse } from '../http/client.js';
import { bodyExcerpt, evidence, exchangeEvidence, requestLine } from './evidence.js';

/** Header leaks on any response the audit received. */
export function headerLeakFindings(observations: Observations): Finding[] {
  const poweredBy = observations.responses.filter((response) => response.headers.has('x-powered-by'));
  const versioned = observations.responses.filter((response) => VERSIONED_SERVER.test(response.headers.get('server') ?? ''));
  const leaky = new Map<string, { count: number; first: ProbeResponse }>();
  for (const response of observations.responses) {
    for (const name of response.headers.names()) {
      if (!HEADERS_TO_REMOVE.has(name)) continue;
      const seen = leaky.get(name);
      if (seen === undefined) leaky.set(name, { count: 1, first: response });
      else seen.count++;
    }
  }
  const count = observations.responses.length;
  return [
    poweredBy.length === 0
      ? finding('x-powered-by', { outcome: 'pass', result: 'x-powered-by-absent', summary: `No X-Powered-By on any of ${count} responses.` })
      : finding('x-powered-by', {
          outcome: 'fail',
          result: 'x-powered-by-present',
          summary: `X-Powered-By names the platform on ${poweredBy.length} of ${count} responses.`,
          evidence: distinct(poweredBy).map((response) => evidence(response, response.headers.line('x-powered-by'))),
        }),
    versioned.length === 0
      ? finding('server-version', { outcome: 'pass', result: 'server-version-absent', summary: 'No Server header with a version.' })
      : finding('server-version', {
          outcome: 'fail',
          result: 'server-version-present',
          summary: `Server names its version (${versioned[0]?.headers.get('server') ?? ''}) on ${versioned.length} of ${count} responses.`,
          evidence: distinct(versioned).map((response) => evidence(response, response.headers.line('server'))),
        }),
    leaky.size === 0
      ? finding('leaky-headers', { outcome: 'pass', result: 'leaky-headers-absent', summary: 'No header from the OWASP list of headers to remove.' })
      : finding('leaky-headers', {
          outcome: 'fail',
          result: 'leaky-headers-present',
          summary: `Headers that give away the platform or backend: ${[...leaky.keys()].join(', ')}.`,
          evidence: [...leaky.values()].map(({ first }, index) => evidence(first, first.headers.line([...leaky.keys()][index] as string))),
          zap: [...new Set([...leaky.keys()].map((name) => HEADERS_TO_REMOVE.get(name)).filter((id): id is number => id !== undefined))],
        }),
  ];
}

/** Up to three responses, one per request line. */
function distinct(responses: readonly ProbeResponse[]): ProbeResponse[] {
  const seen = new Map<string, ProbeResponse>();
  for (const response of responses) if (!seen.has(requestLine(response))) seen.set(requestLine(response), response);
  return [...seen.values()].slice(0, 3);
}

/** Answers that come before any body parser runs: missing route or method, or refused access. */
const NOT_EXERCISED = new Set([401, 403, 404, 405]);

interface ErrorProbe {
  readonly id: CheckId;
  readonly exchange: Exchange | undefined;
  /** Decides the outcome from the status alone; leaks and 5xx are handled for every probe. */
  readonly judge: (status: number) => { outcome: Outcome; result: string; summary: string };
}

/** The error-page probes: a 5xx where a 4xx is due, or a body that leaks internals, fails. */
export function errorPageFindings(observations: Observations): Finding[] {
  const oversizedSize = formatBytes(observations.oversized?.bytes ?? 0);
  const probes: ErrorProbe[] = [
    {
      id: 'error-not-found',
      exchange: observations.notFound,
      judge: (status) =>
        status === 404 || status === 410
          ? { outcome: 'pass', result: 'not-found-clean', summary: `A random path answers ${status} without internals.` }
          : status >= 200 && status < 300
            ? { outcome: 'warn', result: 'not-found-soft-404', summary: `A random path answers ${status}: crawlers and monitors cannot tell missing pages from real ones.` }
            : { outcome: 'pass', result: 'not-found-clean', summary: `A random path answers ${status} without internals.` },
    },
    {
      id: 'error-malformed-json',
      exchange: observations.malformedJson,
      judge: (status) =>
        NOT_EXERCISED.has(status)
          ? { outcome: 'info', result: 'malformed-json-not-exercised', summary: `The JSON path answered ${status}, so no parser saw the body; point --json-path at an endpoint that accepts JSON (and --header/--cookie if it needs a session).` }
          : status >= 400
            ? { outcome: 'pass', result: 'malformed-json-rejected', summary: `A truncated JSON body answers ${status} without internals.` }
            : { outcome: 'warn', result: 'malformed-json-accepted', summary: `A truncated JSON body was accepted (${status}).` },
    },
    {
      id: 'error-oversized-body',
      exchange: observations.oversized,
      judge: (status) =>
        status === 413
          ? { outcome: 'pass', result: 'oversized-body-rejected', summary: `A ${oversizedSize} body answers 413.` }
          : NOT_EXERCISED.has(status)
            ? { outcome: 'info', result: 'oversized-body-not-exercised', summary: `The JSON path answered ${status} to a ${oversizedSize} body; point --json-path at an endpoint that accepts JSON to test the body limit.` }
            : status >= 400
              ? { outcome: 'pass', result: 'oversized-body-rejected', summary: `A ${oversizedSize} body answers ${status} (413 says why).` }
              : { outcome: 'warn', result: 'oversized-body-accepted', summary: `A ${oversizedSize} body was accepted (${status}): without a limit, a few large requests can exhaust memory.` },
    },
    {
      id: 'error-unsupported-method',
      exchange: observations.unsupportedMethod,
      judge: (status) =>
        status >= 400
          ? { outcome: 'pass', result: 'unsupported-method-rejected', summary: `PROPFIND answers ${status}.` }
          : { outcome: 'warn', result: 'unsupported-method-accepted', summary: `PROPFIND answers ${status}, as if every method were supported.` },
    },
    {
      id: 'error-trace',
      exchange: observations.trace,
      judge: (status) => {
        const echoed = observations.trace?.response?.body.includes(observations.trace.marker) === true;
        if (status >= 200 && status < 300) {
          return echoed
            ? { outcome: 'fail', result: 'trace-echoes-request', summary: 'TRACE echoes the request back, headers included (cross-site tracing exposes cookies and credentials).' }
            : { outcome: 'warn', result: 'trace-answered', summary: `TRACE answers ${status}.` };
        }
        return { outcome: 'pass', result: 'trace-disabled', summary: `TRACE answers ${status}.` };
      },
    },
  ];
  return probes.map(({ id, exchange, judge }) => {
    const response = exchange?.response;
    if (exchange === undefined) return finding(id, { outcome: 'skip', result: 'not-probed', summary: 'Not probed.' });
    if (response === undefined) {
      // A server may drop an oversized upload without answering; the body never got in, but the client learns nothing.
      const dropped = id === 'error-oversized-body' && exchange.error?.kind === 'network';
      return finding(id, {
        outcome: 'warn',
        result: dropped ? 'oversized-body-connection-dropped' : 'probe-failed',
        summary: dropped ? 'The connection was dropped during the upload instead of answering 413.' : `No answer: ${exchange.error?.message ?? 'unknown error'}.`,
        evidence: [exchangeEvidence(exchange)],
      });
    }
    const leaks = findLeaks(response.body);
    const base = [evidence(response, `${response.headers.line('content-type') ?? 'no content-type'}\n${bodyExcerpt(response.body)}`)];
    if (leaks.length > 0) {
      return finding(id, {
        outcome: 'fail',
        result: `${leaks[0]?.kind}-disclosed`,
        summary: `The ${response.status} response${response.status >= 500 ? ' (a 4xx is due)' : ''} discloses ${[...new Set(leaks.map((leak) => leak.label))].join(', ')}.`,
        evidence: [...base, ...leaks.map((leak) => ({ request: base[0]?.request ?? exchange.label, status: response.status, detail: `${leak.label}: ${leak.excerpt}` }))],
        fix: 'Answer errors with a generic body outside development (Rampart: problem+json with no internals in production); log the details server-side with the request id.',
        // A fingerprint helps an attacker pick exploits; a stack or a path hands them the code's layout.
        severity: leaks.some((leak) => leak.kind === 'stack-trace' || leak.kind === 'file-path') ? 'medium' : 'low',
      });
    }
    if (response.status === 503) {
      // RFC 9110 §15.6.4: temporarily unable (shedding load, draining, maintenance). Says nothing about error handling.
      return finding(id, {
        outcome: 'warn',
        result: 'service-unavailable',
        summary: `Answered 503${response.headers.has('retry-after') ? ` (Retry-After: ${response.headers.get('retry-after') ?? ''})` : ''}: the service was shedding load, draining or down, so this probe is inconclusive; audit again when it is idle.`,
        evidence: base,
        fix: 'Audit again when the service is not overloaded; if it answers 503 while idle, find out why.',
      });
    }
    if (response.status >= 500 && !(id === 'error-unsupported-method' && response.status === 501)) {
      return finding(id, {
        outcome: 'fail',
        result: 'server-error-where-client-error-due',
        summary: `Answers ${response.status} where a 4xx is due: the client's mistake is reported as a server fault (and pages on-call).`,
        evidence: base,
      });
    }
    return finding(id, { ...judge(response.status), evidence: base });
  });
}
