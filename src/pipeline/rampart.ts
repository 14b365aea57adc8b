import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createClientAddressResolver, type ClientAddressResolver, type TrustProxy } from '../client-ip/trust-proxy.js';
import { RAMPART_CODES } from '../errors/codes.js';
import { invalidOption } from '../errors/option-error.js';
import { renderProblem, type ProblemResponse, type ProblemSettings } from '../errors/problem.js';
import { compileSecurityHeaders, type SecurityHeaderSets, type SecurityHeadersOptions } from '../headers/security-headers.js';
import { compileAllowedHosts, hostNotAllowed, type AllowedHosts } from '../hosts/allowed-hosts.js';
import { createAccessLog, type AccessLog } from '../log/access-log.js';
import { createLoggers, type LogOptions, type RampartLoggers } from '../log/logger.js';
import { assertProfile, profileFromEnv, type Profile } from '../profile/profile.js';
import { resolveRequestId } from '../request-id/request-id.js';
import { Keyring } from '../secrets/keyring.js';
import { parseTraceParent } from '../request-id/traceparent.js';
import { Operations, type OperationsOptions } from '../lifecycle/operations.js';
import { activeSpanIds, newSpanId } from '../diagnostics/trace-context.js';
import { RateLimiter, type RateLimitOptions } from '../rate-limit/limiter.js';
import { CookieJar, type CookieOptions } from '../cookies/cookie-jar.js';
import { CorsPolicy, type CorsOptions } from '../cors/cors.js';
import type { CsrfOptions } from '../csrf/csrf-options.js';
import { CsrfProtection } from '../csrf/csrf.js';
import { createClientErrorListener, type ClientErrorListener } from '../limits/client-error.js';
import { RequestLimits, type LimitsOptions } from '../limits/limits.js';
import type { Answer, HeaderOps } from './answer.js';
import { RequestState, type RequestView } from './request-state.js';

export interface RampartOptions extends OperationsOptions {
  /** Default: from `APP_ENV`, then `NODE_ENV`, else `development`. */
  profile?: Profile;
  /** Which proxies may name the client. Default `false`: the socket address. See `TrustProxy`. */
  trustProxy?: TrustProxy;
  /** Security headers; defaults are helmet's with OWASP's changes. */
  headers?: SecurityHeadersOptions;
  log?: LogOptions;
  /** Inbound and outbound request id header. Default `x-request-id`. */
  requestIdHeader?: string;
  /** Prefix of problem `type` URIs, e.g. your docs URL. Default `urn:rampart:problem:`. */
  problemTypeBase?: string;
  /**
   * The master secret(s) every per-purpose key is derived from (CSRF, cookie
   * signing, key hashing). Default: a random one-process keyring, fine for
   * development and tests; configuration supplies the real one elsewhere.
   */
  keyring?: Keyring;
  /**
   * Rate limits (pipeline stage 6): rules, store, exemptions, headers.
   * Default: no rules; `rampart.rateLimit` still offers `consume()` and the
   * brute-force guard. `RATE_LIMIT_ENABLED=false` switches it off.
   */
  rateLimit?: RateLimitOptions;
  /** Cookie defaults and signing: session cookie name and lifetime, SameSite, Secure + `__Host-` (on in staging/production). */
  cookies?: CookieOptions;
  /** CORS (stage 5): an allowlist of origins. Default off: no cross-origin reads. */
  cors?: CorsOptions | false;
  /** CSRF protection (stage 7): Fetch Metadata / Origin, then signed tokens for cookie requests. Default on; `false` turns it off. */
  csrf?: CsrfOptions | false;
  /** Body size, URL length, cookie header size, JSON depth and keys, accepted media types. Defaults in `DEFAULT_LIMITS`. */
  limits?: LimitsOptions;
  /**
   * The hosts the service answers to (`ALLOWED_HOSTS`); any other `Host` gets
   * 400 `HOST_NOT_ALLOWED`. Health probes are answered whatever the host.
   * Default: not restricted. See `AllowedHosts`.
   */
  allowedHosts?: AllowedHosts;
}

/** A pipeline stage that runs before the handler and may answer the request itself. */
export type Gate = (state: RequestState, view: RequestView) => Answer | undefined | Promise<Answer | undefined>;

/** Probe and scrape paths: the access log skips them by default so they do not drown real traffic. */
export const DEFAULT_UNLOGGED_PATHS: readonly string[] = ['/health', '/ready', '/health/live', '/health/ready', '/metrics'];

const VERSIONED = /\d/;

/**
 * The framework-free engine. Adapters call, per request:
 * `begin` → `admit` → (handler, inside `runWithRequest`) → `applyHeaders` → `finish`,
 * and `problem` for any error. Everything else is computed here, once.
 */
export class Rampart {
  readonly profile: Profile;
  /** The application logger; sensitive keys are redacted at any depth. */
  readonly logger: Logger;
  readonly requestIdHeader: string;
  readonly keyring: Keyring;
  /** Rate limiting: the stage-6 gate, plus `consume()` for limits applied after authentication. */
  readonly rateLimit: RateLimiter;
  /** Signed cookies with the profile's defaults: `rampart.cookies.session(id)`, `rampart.cookies.get(header, name)`. */
  readonly cookies: CookieJar;
  /** CSRF protection; `rampart.csrf.token(cookieHeader)` issues the token for a page. */
  readonly csrf: CsrfProtection;
  /** Request limits and the body parsers every adapter uses. */
  readonly limits: RequestLimits;
  /** A `clientError` listener for `node:http` servers: Node's own 400/408/431 refusals as problem+json. */
  readonly handleClientError: ClientErrorListener;

  readonly #loggers: RampartLoggers;
  readonly #accessLog: AccessLog;
  readonly #resolveClient: ClientAddressResolver;
  readonly #headers: SecurityHeaderSets;
  readonly #problems: ProblemSettings;
  readonly #gates: Gate[] = [];
  /** This engine's token on its requests (`RequestState.owner`) and its store-failure events. */
  readonly #owner: object = Object.freeze({});
  readonly #ops: Operations;

  constructor(options: RampartOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object', options);
    this.profile = options.profile === undefined ? profileFromEnv() : assertProfile(options.profile);
    const development = this.profile === 'development';
    this.#loggers = createLoggers(options.log ?? {}, {
      level: development ? 'debug' : this.profile === 'test' ? 'warn' : 'info',
      format: development ? 'pretty' : 'json',
    });
    this.logger = this.#loggers.logger;
    this.#accessLog = createAccessLog(this.#loggers.access, this.#loggers.stream, options.log ?? {}, DEFAULT_UNLOGGED_PATHS);
    this.#resolveClient = createClientAddressResolver(options.trustProxy ?? false, () =>
      this.logger.warn({ code: 'RAMPART_FORWARDED_WITHOUT_TRUST' }, RAMPART_CODES.RAMPART_FORWARDED_WITHOUT_TRUST.message),
    );
    this.#headers = compileSecurityHeaders(options.headers);
    this.requestIdHeader = headerName('requestIdHeader', options.requestIdHeader ?? 'x-request-id');
    const typeBase = options.problemTypeBase ?? 'urn:rampart:problem:';
    if (typeof typeBase !== 'string') throw invalidOption('problemTypeBase', 'a URI prefix string', typeBase);
    this.#problems = Object.freeze({ typeBase, exposeInternals: development });
    if (options.keyring !== undefined && !(options.keyring instanceof Keyring)) throw invalidOption('keyring', 'a Keyring', options.keyring);
    this.keyring = options.keyring ?? new Keyring(randomBytes(32).toString('base64url'));

    // Pipeline stages before the handler, in DESIGN.md order:
    // 4 overload, 5 CORS, 6 rate limit, 7 CSRF. Each feature adds its gate here.
    // Health, readiness, status and metrics come first: never shed, limited or CSRF-checked.
    this.#ops = new Operations(options, {
      owner: this.#owner,
      profile: this.profile,
      logger: this.logger,
      logDestination: this.#loggers.stream,
      logWriteErrors: () => this.#loggers.writeErrors(),
      problem: (error, state) => this.problem(error, state),
      newState: (view) => this.#newState(view),
      flushLogs: () => this.flushLogs(),
      closeRampart: () => this.close(),
    });
    this.#gates.push(this.#ops.endpointsGate);
    if (this.#ops.overloadGate !== undefined) this.#gates.push(this.#ops.overloadGate);
    // Before anything reads the request for real: an unknown Host is refused outright.
    const hostAllowed = compileAllowedHosts(options.allowedHosts);
    if (hostAllowed !== undefined) this.#gates.push((state, view) => (hostAllowed(view.header('host')) ? undefined : this.problem(hostNotAllowed(), state)));
    // Request limits (414, 431, 413, 415 from headers alone), then 5 CORS: preflights answered here.
    const reject = (error: unknown, state: RequestState): Answer => this.problem(error, state);
    this.limits = new RequestLimits(options.limits);
    this.#gates.push(this.limits.gate(reject));
    this.handleClientError = createClientErrorListener(this.#problems, this.requestIdHeader, this.logger);
    const cors = options.cors === undefined || options.cors === false ? undefined : new CorsPolicy(options.cors);
    if (cors !== undefined) this.#gates.push(cors.gate(reject));
    // 6 rate limit: every rule covering the request decided in one store call.
    this.rateLimit = new RateLimiter(options.rateLimit ?? {}, {
      owner: this.#owner,
      keyring: this.keyring,
      logger: this.logger,
      profile: this.profile,
      render: (error, state) => this.problem(error, state),
    });
    if (this.rateLimit.gate !== undefined) this.#gates.push(this.rateLimit.gate);
    // 7 CSRF: origins allowed to send credentials cross-origin are trusted to post too.
    this.cookies = new CookieJar(this.keyring, this.profile, options.cookies);
    this.csrf = new CsrfProtection(options.csrf ?? {}, { keyring: this.keyring, cookies: this.cookies, reject, alsoTrusted: cors?.credentials === true ? cors.allows : undefined });
    if (this.csrf.enabled) this.#gates.push(this.csrf.gate);
  }

  /**
   * The body stage, for adapters: call it with the parsed body after parsing
   * and before the handler (a form's `_csrf` token is checked here). Throws
   * an `AppError` to reject.
   */
  checkBody(state: RequestState, body: unknown): void {
    this.csrf.checkBody(state, body);
  }

  /** Adds a stage to run before handlers, after those already added. */
  use(gate: Gate): this {
    if (typeof gate !== 'function') throw invalidOption('gate', 'a function', gate);
    this.#gates.push(gate);
    return this;
  }

  /** Health checks and readiness: `rampart.health.add(check)`, `markStarted()`. */
  get health(): Operations['health'] {
    return this.#ops.health;
  }

  /** Prometheus registry and the app's own metrics (`rampart.metrics.counter(…)`); undefined with `metrics: false`. */
  get metrics(): Operations['metrics'] {
    return this.#ops.metrics;
  }

  /** Graceful shutdown: `attach(server)`, `onClose(hook)`, `shutdown()`. */
  get lifecycle(): Operations['lifecycle'] {
    return this.#ops.lifecycle;
  }

  /** The security audit log: `rampart.security.loginFailed({ account })`. */
  get security(): Operations['security'] {
    return this.#ops.security;
  }

  /** The separate metrics server, when `metrics.port` is set; `await rampart.adminServer.address`. */
  get adminServer(): Operations['adminServer'] {
    return this.#ops.adminServer;
  }

  /** Stages 1–3: request id, trace context, client address. Synchronous and cheap. */
  begin(view: RequestView): RequestState {
    const state = this.#newState(view);
    this.#ops.requestStarted(state);
    return state;
  }

  #newState(view: RequestView): RequestState {
    const client = this.#resolveClient(view);
    const trace = parseTraceParent(view.header('traceparent'));
    // An OpenTelemetry span, when one is active, names the trace; else W3C
    // `traceparent` does, and this request is a new span under the caller's.
    const active = activeSpanIds();
    return new RequestState({
      requestId: resolveRequestId(view.header(this.requestIdHeader)),
      traceId: active?.traceId ?? trace?.traceId,
      parentSpanId: active === undefined ? trace?.parentSpanId : undefined,
      spanId: active?.spanId ?? (trace === undefined ? undefined : newSpanId()),
      clientIp: client.ip,
      secure: client.secure,
      method: view.method,
      url: view.url,
      userAgent: view.header('user-agent'),
      startedAt: performance.now(),
      owner: this.#owner,
      rootLogger: this.logger,
    });
  }

  /**
   * Runs the gates in order. Returns undefined to let the request through, or
   * the answer to send instead. Stays synchronous until a gate needs I/O.
   */
  admit(state: RequestState, view: RequestView): Answer | undefined | Promise<Answer | undefined> {
    const gates = this.#gates;
    for (let i = 0; i < gates.length; i++) {
      const result = (gates[i] as Gate)(state, view);
      if (result === undefined) continue;
      if (result instanceof Promise) return this.#admitAsync(result, i + 1, state, view);
      return result;
    }
    return undefined;
  }

  async #admitAsync(pending: Promise<Answer | undefined>, next: number, state: RequestState, view: RequestView): Promise<Answer | undefined> {
    const first = await pending;
    if (first !== undefined) return first;
    for (let i = next; i < this.#gates.length; i++) {
      const result = await (this.#gates[i] as Gate)(state, view);
      if (result !== undefined) return result;
    }
    return undefined;
  }

  /** Any thrown value as the problem+json response to send; 5xx causes are kept for the access line. */
  problem(error: unknown, state: RequestState): ProblemResponse {
    const response = renderProblem(error, state.requestId, state.path, this.#problems);
    state.problemCode = response.document.code;
    if (response.status >= 500) state.error = response.error.cause ?? response.error;
    return response;
  }

  /**
   * Stage 8, first half, for adapters that can set headers before the
   * handler runs: the headers every response gets whatever its content, for
   * this request's scheme. Set them first, with the request id
   * (`requestIdHeader`: `state.requestId`), and whatever the handler sets or
   * removes afterwards wins, with no per-header checks; `applyHeaders` then
   * adds only what depends on the response.
   */
  presetHeaders(state: RequestState): Readonly<Record<string, string>> {
    state.headersPreset = true;
    return state.secure ? this.#headers.preset.https : this.#headers.preset.http;
  }

  /**
   * Stage 8: security headers for the response's content type and scheme,
   * the request id, and headers earlier stages queued. Never overwrites a
   * header the handler set; removes `X-Powered-By` and a versioned `Server`.
   * After `presetHeaders()`, only what depends on the response is added here.
   */
  applyHeaders<T>(state: RequestState, target: T, ops: HeaderOps<T>): void {
    const contentType = ops.get(target, 'content-type');
    const html = typeof contentType === 'string' && contentType.startsWith('text/html');
    if (state.headersPreset) {
      if (!html && this.#headers.apiCsp !== undefined && ops.get(target, 'content-security-policy') === undefined) {
        ops.set(target, 'content-security-policy', this.#headers.apiCsp);
      }
    } else {
      const sets = html ? this.#headers.document : this.#headers.api;
      const headers = state.secure ? sets.https : sets.http;
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i] as string;
        if (ops.get(target, name) === undefined) ops.set(target, name, headers[i + 1] as string);
      }
    }
    if (html) this.#applyDocumentCsp(state, target, ops);
    if (!state.headersPreset && ops.get(target, this.requestIdHeader) === undefined) ops.set(target, this.requestIdHeader, state.requestId);
    const queued = state.responseHeaders;
    if (queued !== undefined) {
      for (let i = 0; i < queued.length; i += 2) {
        const name = queued[i] as string;
        const value = queued[i + 1] as string;
        if (name === 'set-cookie' && ops.append !== undefined) ops.append(target, name, value);
        else if (name === 'vary') ops.set(target, name, mergeVary(ops.get(target, name), value));
        else ops.set(target, name, value);
      }
    }
    // Draining: tell keep-alive clients to reconnect elsewhere (RFC 9112 §9.6).
    if (this.#ops.lifecycle.draining) ops.set(target, 'connection', 'close');
    if (ops.get(target, 'x-powered-by') !== undefined) ops.remove(target, 'x-powered-by');
    const server = ops.get(target, 'server');
    if (typeof server === 'string' && VERSIONED.test(server)) ops.remove(target, 'server');
  }

  #applyDocumentCsp<T>(state: RequestState, target: T, ops: HeaderOps<T>): void {
    const csp = this.#headers.documentCsp;
    if (csp === undefined || ops.get(target, 'content-security-policy') !== undefined) return;
    const policy = state.nonceUsed ? this.#headers.documentCspWithNonce(state.cspNonce, state.secure) : state.secure ? csp.https : csp.http;
    ops.set(target, 'content-security-policy', policy);
  }

  /** Stage 10: the one access-log line. */
  finish(state: RequestState, status: number): void {
    // Once per request: an adapter may report both an abort and a late finish.
    if (state.finished) return;
    state.finished = true;
    this.#accessLog(state, status);
    this.#ops.requestFinished(state, status);
  }

  /** Writes out buffered log lines. */
  flushLogs(): void {
    this.#loggers.flush();
  }

  /** Reopens the log file (after logrotate moved it). */
  reopenLogs(): void {
    this.#loggers.reopen();
  }

  /** Stops Rampart's timers, subscriptions and admin server, flushes the error tracker and logs. Idempotent. */
  async close(): Promise<void> {
    await this.#ops.close();
    await this.rateLimit.close();
    await this.#loggers.flushOnClose();
  }
}

/** Adds to a handler's `Vary` rather than replacing it (RFC 9110 §12.5.5: a list). */
function mergeVary(existing: unknown, value: string): string {
  if (typeof existing !== 'string' || existing === '') return value;
  if (existing === '*') return existing;
  const present = new Set(existing.split(',').map((name) => name.trim().toLowerCase()));
  const missing = value.split(', ').filter((name) => !present.has(name.toLowerCase()));
  return missing.length === 0 ? existing : `${existing}, ${missing.join(', ')}`;
}

function headerName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9-]{1,64}$/i.test(value)) throw invalidOption(option, 'a header name', value);
  return value.toLowerCase();
}

/**
 * Creates the engine. Options are validated here, once; a bad one throws a
 * `RampartError` with code `RAMPART_INVALID_OPTION` naming it.
 *
 * @example
 * const rampart = createRampart({ profile: 'production', trustProxy: 1 });
 */
export function createRampart(options?: RampartOptions): Rampart {
  return new Rampart(options);
}
