import { AppError, UnauthorizedError } from '../errors/app-error.js';
import type { ProblemResponse } from '../errors/problem.js';
import type { Answer } from '../pipeline/answer.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import type { AdminAccess } from './admin-access.js';
import { LIVE_ANSWER, healthAnswer, type HealthIdentity } from './health-json.js';
import type { HealthRegistry } from './registry.js';
import { statusAnswer, type StatusSource } from './status.js';

/** Who may see an endpoint (or the details of one). */
export type Audience = 'everyone' | 'admin';

export interface EndpointsConfig {
  readonly livePaths: readonly string[];
  readonly readyPaths: readonly string[];
  readonly health: HealthRegistry;
  readonly identity: HealthIdentity;
  /** Who sees check details on readiness paths. */
  readonly details: Audience;
  readonly status: { readonly path: string; readonly audience: Audience; readonly source: StatusSource } | undefined;
  readonly metrics: { readonly path: string; readonly audience: Audience; render(): Promise<{ body: string; contentType: string }> } | undefined;
  readonly admin: AdminAccess;
  readonly problem: (error: unknown, state: RequestState) => ProblemResponse;
}

type Endpoint = (state: RequestState, view: RequestView) => Answer | Promise<Answer>;

const ALLOW = 'GET, HEAD';

/**
 * The operations endpoints (liveness, readiness, status, metrics), answered
 * inside the pipeline, before overload shedding and rate limiting, so probes
 * and scrapes keep working when the app is shedding load, and every adapter
 * gets them without code of its own. One map lookup for every other request.
 */
export function createEndpointsGate(config: EndpointsConfig): (state: RequestState, view: RequestView) => Answer | Promise<Answer> | undefined {
  const { health, admin, problem } = config;
  const endpoints = new Map<string, Endpoint>();
  const set = (path: string, endpoint: Endpoint): void => {
    if (!endpoints.has(path)) endpoints.set(path, endpoint);
  };

  for (const path of config.livePaths) set(path, () => LIVE_ANSWER);
  const detailsForEveryone = config.details === 'everyone';
  for (const path of config.readyPaths) {
    set(path, async function readiness(state, view) {
      const report = await health.report();
      return healthAnswer(report, config.identity, detailsForEveryone || admin.granted(state, view));
    });
  }
  const status = config.status;
  if (status !== undefined) set(status.path, guarded(status.audience, () => statusAnswer(status.source)));
  const metrics = config.metrics;
  if (metrics !== undefined) {
    set(
      metrics.path,
      guarded(metrics.audience, async function scrape() {
        const { body, contentType } = await metrics.render();
        return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
      }),
    );
  }

  function guarded(audience: Audience, endpoint: Endpoint): Endpoint {
    if (audience === 'everyone') return endpoint;
    return function adminOnly(state, view) {
      if (admin.granted(state, view)) return endpoint(state, view);
      // RFC 6750 §3: a missing or wrong bearer token is a 401 naming the scheme.
      const error = admin.usesToken ? new UnauthorizedError({ headers: { 'www-authenticate': 'Bearer realm="rampart"' } }) : new AppError('FORBIDDEN');
      return problem(error, state);
    };
  }

  return function operationsEndpoints(state, view) {
    const endpoint = endpoints.get(state.path);
    if (endpoint === undefined) return undefined;
    state.route = state.path;
    if (state.method !== 'GET' && state.method !== 'HEAD') {
      const answer = problem(new AppError('METHOD_NOT_ALLOWED', { headers: { allow: ALLOW } }), state);
      return answer;
    }
    return endpoint(state, view);
  };
}
