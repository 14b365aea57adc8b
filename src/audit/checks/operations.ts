import { finding, type CheckId } from '../catalog.js';
import type { ProbeResponse } from '../http/client.js';
import { mediaType } from '../http/header-map.js';
import type { Exchange, Observations } from '../probes.js';
import type { Finding } from '../types.js';
import { answered, bodyExcerpt, evidence, exchangeEvidence, headerDetail } from './evidence.js';

const HEALTH_JSON = 'application/health+json';
/** Health-check draft §3.1: pass/warn/fail, with the aliases Terminus ("ok") and Spring ("up", "down") send. */
const HEALTHY = new Set(['pass', 'ok', 'up', 'warn']);
const UNHEALTHY = new Set(['fail', 'error', 'down']);
const REQUEST_ID_HEADERS = ['x-request-id', 'x-correlation-id', 'request-id', 'x-amzn-requestid', 'traceresponse'];

function healthStatus(response: ProbeResponse): { wellFormed: boolean; status?: string } {
  const type = mediaType(response.headers.get('content-type'));
  if (type !== HEALTH_JSON && type !== 'application/json') return { wellFormed: type !== HEALTH_JSON };
  try {
    const body = JSON.parse(response.body) as { status?: unknown };
    const status = typeof body.status === 'string' ? body.status.toLowerCase() : undefined;
    const known = status !== undefined && (HEALTHY.has(status) || UNHEALTHY.has(status));
    // Only health+json promises a status member; plain JSON is taken as it is.
    return { wellFormed: type !== HEALTH_JSON || known, ...(status === undefined ? {} : { status }) };
  } catch {
    return { wellFormed: false };
  }
}

function healthFinding(id: CheckId & ('health-liveness' | 'health-readiness'), tried: readonly Exchange[]): Finding {
  const found = tried.find((exchange) => exchange.response !== undefined && exchange.response.status !== 404);
  const kind = id === 'health-liveness' ? 'liveness' : 'readiness';
  if (found?.response === undefined) {
    return finding(id, {
      outcome: 'warn',
      result: `${kind}-not-found`,
      summary: `No ${kind} endpoint at ${tried.map((exchange) => exchange.label.split(' ')[1]).join(', ')}.`,
      evidence: tried.map((exchange) => exchangeEvidence(exchange)),
    });
  }
  const response = found.response;
  const { wellFormed, status } = healthStatus(response);
  const detail = `${headerDetail(response, 'content-type')}\n${bodyExcerpt(response.body, 120)}`;
  if (!wellFormed) {
    return finding(id, {
      outcome: 'fail',
      result: 'health-json-malformed',
      summary: `${found.label} says ${HEALTH_JSON} but its body has no valid "status" (pass, warn or fail).`,
      evidence: [evidence(response, detail)],
    });
  }
  if (response.status === 401 || response.status === 403) {
    return finding(id, { outcome: 'warn', result: `${kind}-protected`, summary: `${found.label} answers ${response.status}: orchestrators probing it unauthenticated will see a failure.`, evidence: [evidence(response, detail)] });
  }
  if (response.status >= 500 || (status !== undefined && UNHEALTHY.has(status))) {
    return finding(id, {
      outcome: id === 'health-readiness' && response.status === 503 ? 'warn' : 'fail',
      result: `${kind}-failing`,
      summary: `${found.label} reports unhealthy (${response.status}${status === undefined ? '' : `, "${status}"`}).`,
      evidence: [evidence(response, detail)],
    });
  }
  const format = mediaType(response.headers.get('content-type')) === HEALTH_JSON ? ` as ${HEALTH_JSON}` : '';
  return finding(id, { outcome: 'pass', result: `${kind}-ok`, summary: `${found.label} answers ${response.status}${format}.`, evidence: [evidence(response, detail)] });
}

const PROMETHEUS = /^# (?:HELP|TYPE) [a-zA-Z_:][\w:]* /m;

function metricsFinding(exchange: Exchange | undefined): Finding {
  if (exchange === undefined) return finding('metrics-public', { outcome: 'skip', result: 'metrics-not-probed', summary: 'Not probed (metrics path disabled).' });
  const response = exchange.response;
  if (response === undefined) return finding('metrics-public', { outcome: 'warn', result: 'probe-failed', summary: `No answer: ${exchange.error?.message ?? ''}.`, evidence: [exchangeEvidence(exchange)] });
  if (response.status === 200 && PROMETHEUS.test(response.body)) {
    const series = response.body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    return finding('metrics-public', {
      outcome: 'fail',
      result: 'metrics-exposed',
      summary: `${exchange.label} serves ${series} Prometheus samples to anyone.`,
      evidence: [evidence(response, bodyExcerpt(response.body, 120))],
    });
  }
  const result = response.status === 401 || response.status === 403 ? 'metrics-protected' : 'metrics-not-public';
  return finding('metrics-public', { outcome: 'pass', result, summary: `${exchange.label} answers ${response.status}.`, evidence: [evidence(response)] });
}

function requestIdFinding(observations: Observations): Finding {
  const probe = observations.notFound;
  const echoedHeader = probe?.response?.headers.get('x-request-id');
  if (probe?.response !== undefined && echoedHeader === probe.requestId) {
    return finding('request-id', { outcome: 'pass', result: 'request-id-echoed', summary: 'The inbound X-Request-ID comes back on the response.', evidence: [evidence(probe.response, probe.response.headers.line('x-request-id'))] });
  }
  const withId = observations.responses.find((response) => REQUEST_ID_HEADERS.some((name) => response.headers.has(name)));
  if (withId !== undefined) {
    const name = REQUEST_ID_HEADERS.find((header) => withId.headers.has(header)) as string;
    return finding('request-id', {
      outcome: 'info',
      result: 'request-id-generated-only',
      summary: `Responses carry ${name}, but an inbound X-Request-ID is not echoed, so a caller's id does not reach your logs.`,
      evidence: [evidence(withId, withId.headers.line(name))],
    });
  }
  return finding('request-id', { outcome: 'warn', result: 'request-id-missing', summary: 'No response carries a request id header.', evidence: probe === undefined ? [] : [exchangeEvidence(probe)] });
}

/** RFC 9457 §3: a JSON object whose `status`, when present, matches the response. */
function isProblem(response: ProbeResponse): boolean {
  if (mediaType(response.headers.get('content-type')) !== 'application/problem+json') return false;
  try {
    const body = JSON.parse(response.body) as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
    const { status, title } = body as { status?: unknown; title?: unknown };
    return (status === undefined || status === response.status) && (title === undefined || typeof title === 'string');
  } catch {
    return false;
  }
}

function problemFinding(observations: Observations): Finding {
  const errors = answered([
    observations.notFound,
    observations.malformedJson,
    observations.oversized,
    observations.unsupportedMethod,
    observations.trace,
    ...observations.csrf,
  ])
    .concat(observations.rateLimit?.limited === undefined ? [] : [observations.rateLimit.limited])
    .filter((response) => response.status >= 400);
  if (errors.length === 0) return finding('problem-json', { outcome: 'skip', result: 'no-error-responses', summary: 'No error response to look at.' });
  const others = errors.filter((response) => !isProblem(response));
  if (others.length === 0) {
    return finding('problem-json', { outcome: 'pass', result: 'problem-json', summary: `All ${errors.length} error responses are application/problem+json.`, evidence: errors.slice(0, 3).map((response) => evidence(response, headerDetail(response, 'content-type'))) });
  }
  return finding('problem-json', {
    outcome: 'warn',
    result: others.length === errors.length ? 'problem-json-missing' : 'problem-json-partial',
    summary: `${others.length} of ${errors.length} error responses are not RFC 9457 problem+json, so clients cannot handle errors one way.`,
    evidence: others.slice(0, 4).map((response) => evidence(response, headerDetail(response, 'content-type'))),
  });
}

export function operationsFindings(observations: Observations): Finding[] {
  return [
    healthFinding('health-liveness', observations.liveness),
    healthFinding('health-readiness', observations.readiness),
    metricsFinding(observations.metrics),
    requestIdFinding(observations),
    problemFinding(observations),
  ];
}
