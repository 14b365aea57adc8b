import type { DestinationStream, Logger } from 'pino';
import { heapCheck } from '../checks/heap.js';
import { eventLoopCheck } from '../checks/event-loop.js';
import type { Check } from '../checks/check.js';
import { requestFinishChannel, requestStartChannel } from '../diagnostics/channels.js';
import type { ProblemResponse } from '../errors/problem.js';
import { invalidOption } from '../errors/option-error.js';
import { causeChain, requestContext, safeTracker, type ErrorTracker } from '../error-tracking/tracker.js';
import { createAdminAccess, type AdminOptions } from '../health/admin-access.js';
import { createEndpointsGate, type Audience } from '../health/endpoints.js';
import { HealthRegistry } from '../health/registry.js';
import { resolveVersion, type StatusOptions } from '../health/status.js';
import { AdminServer } from '../metrics/admin-server.js';
import { countChannelEvents } from '../metrics/channel-metrics.js';
import { RampartMetrics, type MetricsOptions } from '../metrics/metrics.js';
import { OverloadMonitor, createOverloadGate, type OverloadOptions } from '../overload/overload.js';
import type { Answer } from '../pipeline/answer.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import type { NodeRequestView } from '../pipeline/node-request-view.js';
import { isProductionLike, type Profile } from '../profile/profile.js';
import { SecurityLog, type SecurityLogOptions } from '../security-log/security-log.js';
import { Lifecycle, type ShutdownOptions } from './lifecycle.js';

export interface HealthOptions {
  /** Liveness: 200 while the process runs, draining included. Default `['/health/live']`. */
  livePaths?: readonly string[];
  /** Readiness: 200 when started, not draining and critical checks pass, else 503. Default `['/health', '/ready', '/health/ready']`. */
  readyPaths?: readonly string[];
  /** Dependency checks (`postgresCheck`, `redisCheck`, `httpCheck`, `diskSpaceCheck`, your own `Check`). Default none. */
  checks?: readonly Check[];
  /** Add the non-critical `eventloop:delay` and `memory:heap` checks. Default true. */
  processChecks?: boolean;
  /** Readiness fails (`starting`) until `rampart.health.markStarted()`: for apps that warm up after listening. Default false. */
  awaitStartup?: boolean;
  /** Who sees check details: `everyone`, or `admin` (see `admin`). Default `admin` in staging and production, `everyone` otherwise. */
  details?: Audience;
  /** `version`, `releaseId` and `serviceId` of the health+json body. Default: `status.version` for `releaseId`. */
  serviceId?: string;
}

/** Options of the operations features, merged into `RampartOptions`. */
export interface OperationsOptions {
  health?: HealthOptions | false;
  /** Prometheus metrics and the `/metrics` endpoint; `false` turns both off. */
  metrics?: MetricsOptions | false;
  /** `/status`: version, environment, uptime, redacted config. Admin-only in staging and production. */
  status?: StatusOptions | false;
  /** Who counts as an operator: a bearer token and/or an IP allowlist. */
  admin?: AdminOptions;
  /** Load shedding. Default on in staging and production, off in development and test; `false` turns it off. */
  overload?: OverloadOptions | false;
  /** Graceful shutdown and server timeouts (see `rampart.lifecycle`). */
  shutdown?: ShutdownOptions;
  /** Receives 5xx and unhandled errors with their request context, e.g. `sentryErrorTracker(Sentry)`. */
  errorTracker?: ErrorTracker;
  /** The security audit log; `false` turns automatic events off (the API then writes nowhere). */
  securityLog?: SecurityLogOptions | false;
}

interface OperationsContext {
  /** The engine's token (`RequestState.owner`): its metrics and security log count only its own requests' events. */
  readonly owner: object;
  readonly profile: Profile;
  readonly logger: Logger;
  /** The application log's stream: security events share it unless `securityLog.file` is set. */
  readonly logDestination: DestinationStream;
  readonly logWriteErrors: () => number;
  readonly problem: (error: unknown, state: RequestState) => ProblemResponse;
  readonly newState: (view: RequestView) => RequestState;
  readonly flushLogs: () => void;
  readonly closeRampart: () => Promise<void>;
}

const DEFAULT_LIVE_PATHS: readonly string[] = ['/health/live'];
const DEFAULT_READY_PATHS: readonly string[] = ['/health', '/ready', '/health/ready'];
const TRACKER_FLUSH_MS = 2000;

/**
 * Health, metrics, overload, shutdown, error tracking and the security log,
 * wired together once per Rampart. The pipeline calls `requestStarted` and
 * `requestFinished`; everything else runs off timers and diagnostics channels.
 */
export class Operations {
  readonly health: HealthRegistry;
  readonly metrics: RampartMetrics | undefined;
  readonly lifecycle: Lifecycle;
  readonly security: SecurityLog;
  readonly adminServer: AdminServer | undefined;
  readonly endpointsGate: (state: RequestState, view: RequestView) => Answer | Promise<Answer> | undefined;
  readonly overloadGate: ((state: RequestState) => Answer | undefined) | undefined;
  readonly #overload: OverloadMonitor | undefined;
  readonly #tracker: ErrorTracker | undefined;
  readonly #stopChannelMetrics: (() => void) | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: OperationsOptions, context: OperationsContext) {
    const productionLike = isProductionLike(context.profile);
    const health = optionObject<HealthOptions>('health', options.health);
    const metricsOptions = optionObject<MetricsOptions>('metrics', options.metrics);
    const statusOptions = optionObject<StatusOptions>('status', options.status);
    const admin = createAdminAccess(options.admin, productionLike);

    this.lifecycle = new Lifecycle(options.shutdown ?? {}, {
      logger: context.logger,
      productionLike,
      markDraining: () => this.health.markDraining(),
      report: (error, kind) => this.#tracker?.capture(error, { kind, causes: causeChain(error) }),
      closeRampart: context.closeRampart,
      flushLogs: context.flushLogs,
    });
    this.#tracker = options.errorTracker === undefined ? undefined : safeTracker(tracker(options.errorTracker), (error) => context.logger.warn({ err: error }, 'error tracker failed'));

    const version = resolveVersion(statusOptions === false ? undefined : statusOptions?.version);
    this.metrics =
      metricsOptions === false
        ? undefined
        : new RampartMetrics(metricsOptions ?? {}, {
            ready: async () => (await this.health.report()).status !== 'fail',
            shuttingDown: () => this.lifecycle.draining,
            logWriteErrors: context.logWriteErrors,
          });
    // The operator hears about a check when its status changes, with the remedy clients never see.
    const lastStatus = new Map<string, string>();
    this.health = new HealthRegistry({
      started: health === false || health?.awaitStartup !== true,
      onResult: (report) => {
        this.metrics?.recordCheck(report.name, report.status, report.durationMs);
        const previous = lastStatus.get(report.name) ?? 'pass';
        lastStatus.set(report.name, report.status);
        if (previous === report.status) return;
        const fields = { check: report.name, status: report.status, previous, critical: report.critical, output: report.output, remedy: report.remedy, durationMs: report.durationMs };
        if (report.status === 'pass') context.logger.info(fields, 'health check recovered');
        else context.logger[report.critical && report.status === 'fail' ? 'error' : 'warn'](fields, 'health check failing');
      },
    });
    if (health !== false) {
      if (health?.processChecks !== false) this.health.add(eventLoopCheck()).add(heapCheck());
      for (const check of health?.checks ?? []) this.health.add(check);
    }
    this.#stopChannelMetrics = this.metrics === undefined ? undefined : countChannelEvents(this.metrics, context.owner);

    const securityOptions = optionObject<SecurityLogOptions>('securityLog', options.securityLog);
    this.security = new SecurityLog(securityOptions === false ? {} : (securityOptions ?? {}), context.logDestination, securityOptions !== false, context.owner);

    const identity = { version: undefined, releaseId: version, serviceId: health === false ? undefined : health?.serviceId };
    const details: Audience = health === false ? 'admin' : (health?.details ?? (productionLike ? 'admin' : 'everyone'));
    const startedAt = new Date();
    const statusAudience: Audience = productionLike || admin.configured ? 'admin' : 'everyone';
    const status =
      statusOptions === false || (statusAudience === 'admin' && !admin.configured)
        ? undefined
        : {
            path: statusOptions?.path ?? '/status',
            audience: statusAudience,
            source: {
              profile: context.profile,
              version,
              startedAt,
              ready: async () => (await this.health.report()).status !== 'fail',
              draining: () => this.lifecycle.draining,
              config: statusOptions?.config,
            },
          };
    const metricsPath = metricsOptions === false ? '/metrics' : (metricsOptions?.path ?? '/metrics');
    const metricsAudience: Audience = productionLike || admin.configured ? 'admin' : 'everyone';
    const render = (): Promise<{ body: string; contentType: string }> => (this.metrics as RampartMetrics).render();
    const onMainPort = this.metrics !== undefined && metricsOptions !== false && metricsOptions?.port === undefined;
    const base = {
      livePaths: health === false ? [] : (health?.livePaths ?? DEFAULT_LIVE_PATHS),
      readyPaths: health === false ? [] : (health?.readyPaths ?? DEFAULT_READY_PATHS),
      health: this.health,
      identity,
      details,
      status,
      admin,
      problem: context.problem,
    };
    const endpoints = createEndpointsGate({
      ...base,
      metrics: onMainPort && (metricsAudience === 'everyone' || admin.configured) ? { path: metricsPath, audience: metricsAudience, render } : undefined,
    });
    if (onMainPort && metricsAudience === 'admin' && !admin.configured) {
      // Not served, so the app answers (404). Say why once, when a scraper first asks, not at every startup.
      let explained = false;
      this.endpointsGate = function operationsEndpointsExplained(state, view) {
        if (!explained && state.path === metricsPath) {
          explained = true;
          context.logger.warn('/metrics is not served: in staging and production it needs admin.token, admin.allow or metrics.port');
        }
        return endpoints(state, view);
      };
    } else this.endpointsGate = endpoints;

    if (this.metrics !== undefined && metricsOptions !== false && metricsOptions?.port !== undefined) {
      const port = metricsOptions.port;
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidOption('metrics.port', 'a port number', port);
      // On the admin port the network is the boundary; a token, when set, is still required.
      const adminGate = createEndpointsGate({ ...base, details: 'everyone', status: undefined, metrics: { path: metricsPath, audience: admin.usesToken ? 'admin' : 'everyone', render } });
      this.adminServer = new AdminServer(port, metricsOptions.host ?? '127.0.0.1', (view: NodeRequestView) => adminGate(context.newState(view), view), context.logger);
    }

    const overload = optionObject<OverloadOptions>('overload', options.overload);
    if (overload !== false && (overload !== undefined || productionLike)) {
      this.#overload = new OverloadMonitor(overload ?? {}, (overloaded, readings, exceeded) => {
        if (overloaded) context.logger.warn({ readings, exceeded }, 'overloaded: shedding requests with 503');
        else context.logger.info({ readings }, 'load back to normal: no longer shedding');
      });
      // A shed request is not a failure to investigate: no error (and stack) on its access line,
      // which would add logging work exactly when the process is overloaded.
      this.overloadGate = createOverloadGate(this.#overload, (error, state) => {
        const answer = context.problem(error, state);
        state.error = undefined;
        return answer;
      });
    }
  }

  requestStarted(state: RequestState): void {
    this.metrics?.requestStarted();
    if (requestStartChannel.hasSubscribers) requestStartChannel.publish({ state });
  }

  requestFinished(state: RequestState, status: number): void {
    this.metrics?.requestFinished(state, status);
    // Bugs, not deliberate unavailability: load shedding and the app's own 503s are metrics, not error reports.
    if (status >= 500 && this.#tracker !== undefined && state.error !== undefined && state.problemCode !== 'SERVICE_UNAVAILABLE') {
      this.#tracker.capture(state.error, requestContext(state, status, state.error));
    }
    if (requestFinishChannel.hasSubscribers) requestFinishChannel.publish({ state, status, durationMs: performance.now() - state.startedAt });
  }

  /** Stops timers and subscriptions, closes the admin server, flushes the error tracker. Idempotent. */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      this.lifecycle.detach();
      this.#overload?.close();
      this.#stopChannelMetrics?.();
      await this.security.close();
      await this.adminServer?.close();
      await this.#tracker?.flush?.(TRACKER_FLUSH_MS);
    })());
  }
}

function optionObject<T>(name: string, value: unknown): T | false | undefined {
  if (value === undefined || value === false) return value;
  if (typeof value !== 'object' || value === null) throw invalidOption(name, 'an object or false', value);
  return value as T;
}

function tracker(value: ErrorTracker): ErrorTracker {
  if (typeof value !== 'object' || value === null || typeof value.capture !== 'function') throw invalidOption('errorTracker', 'an object with capture(error, context)', value);
  return value;
}
