import type { Answer } from '../pipeline/answer.js';
import type { HealthReport } from './registry.js';

/** draft-inadarei-api-health-check §3: the media type of health reports. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

// Probes must see the current state, never a cached one (RFC 9111 §5.2.2.5).
const HEADERS = Object.freeze({ 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store' });

/** What every health body carries besides the status (draft §3.2–3.4). */
export interface HealthIdentity {
  readonly version: string | undefined;
  readonly releaseId: string | undefined;
  readonly serviceId: string | undefined;
}

/**
 * A health report as `application/health+json`. `detailed` adds the checks
 * (keyed `component:measurement`, each an array as the draft requires) and
 * the reason; otherwise the body is the status alone, which is all a load
 * balancer needs and all an anonymous caller on the internet should learn.
 * The draft maps pass/warn to 2xx and fail to 4xx–5xx (§3.1).
 */
export function healthAnswer(report: HealthReport, identity: HealthIdentity, detailed: boolean): Answer {
  const body: Record<string, unknown> = { status: report.status };
  if (detailed) {
    if (identity.version !== undefined) body['version'] = identity.version;
    if (identity.releaseId !== undefined) body['releaseId'] = identity.releaseId;
    if (identity.serviceId !== undefined) body['serviceId'] = identity.serviceId;
    if (report.reason !== undefined) body['output'] = report.reason;
    const checks: Record<string, unknown[]> = {};
    for (const check of report.checks) {
      const entry: Record<string, unknown> = { status: check.status };
      if (check.observedValue !== undefined) entry['observedValue'] = check.observedValue;
      if (check.observedUnit !== undefined) entry['observedUnit'] = check.observedUnit;
      entry['time'] = check.time;
      if (check.output !== undefined && check.status !== 'pass') entry['output'] = check.output;
      entry['durationMs'] = check.durationMs;
      if (!check.critical) entry['critical'] = false;
      checks[check.name] = [entry];
    }
    body['checks'] = checks;
  }
  return { status: report.status === 'fail' ? 503 : 200, headers: HEADERS, body: JSON.stringify(body) };
}

/** Liveness: the process is up and its event loop answers. Nothing else, draining included. */
export const LIVE_ANSWER: Answer = Object.freeze({ status: 200, headers: HEADERS, body: '{"status":"pass"}' });
