import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { DestinationStream, Logger } from 'pino';
import { currentRequest } from '../context/context.js';
import { CHANNEL_NAMES } from '../diagnostics/channels.js';
import { invalidOption } from '../errors/option-error.js';
import { createLoggers, type RampartLoggers } from '../log/logger.js';
import type { RequestState } from '../pipeline/request-state.js';
import { RepeatThrottle } from './repeat-throttle.js';

export interface SecurityLogOptions {
  /** Append security events to this file, apart from the application log. Default: the application log's destination (stdout unless `log.destination`). */
  file?: string;
  /** Write to this stream instead (tests, a SIEM shipper). Wins over `file`. */
  destination?: DestinationStream;
  /** Log requests rate limiting rejected. Default true. */
  rateLimitBlocks?: boolean;
  /**
   * A client rejected again and again by one rule gets one line at first,
   * then at most one per this many ms, with `suppressed`: the rejections it
   * stands for. Default 60 000; 0 logs every rejection.
   */
  rateLimitBlockIntervalMs?: number;
  /** Log requests CSRF protection rejected. Default true. */
  csrfRejections?: boolean;
  /** More key names to redact, besides the built-in password/token/secret/cookie family. */
  redact?: readonly string[];
}

const DEFAULT_BLOCK_INTERVAL_MS = 60_000;

export type SecurityOutcome = 'success' | 'failure' | 'blocked';

/** Fields any event may carry besides the request's own (request id, IP, user id, which are added for you). */
export type SecurityFields = Readonly<Record<string, unknown>>;

/**
 * The security audit log: one JSON line per security-relevant event, on its
 * own logger (and, with `file`, its own file) so it can be kept longer and
 * shipped elsewhere than the application log. Every line carries the event
 * name, the outcome, and — inside a request — the request id, client IP and
 * user id. Written at `info` whatever the application log level, because an
 * audit trail with gaps is no audit trail. Values under sensitive keys
 * (`password`, `token`, …) are redacted like in the application log.
 */
export class SecurityLog {
  readonly #loggers: RampartLoggers;
  readonly #logger: Logger;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #blockRepeats: RepeatThrottle;
  /** Events of requests another engine began are that engine's to log. */
  readonly #owner: object | undefined;

  constructor(options: SecurityLogOptions, fallbackDestination: DestinationStream, enabled = true, owner?: object) {
    if (typeof options !== 'object' || options === null) throw invalidOption('securityLog', 'an object or false', options);
    const destination = options.destination ?? (options.file === undefined ? fallbackDestination : undefined);
    this.#loggers = createLoggers(
      { level: enabled ? 'info' : 'silent', format: 'json', ...(destination === undefined ? {} : { destination }), ...(options.file === undefined ? {} : { file: options.file }), ...(options.redact === undefined ? {} : { redact: options.redact }) },
      { level: 'info', format: 'json' },
    );
    this.#logger = this.#loggers.logger.child({ log: 'security' });
    const interval = options.rateLimitBlockIntervalMs ?? DEFAULT_BLOCK_INTERVAL_MS;
    if (!Number.isInteger(interval) || interval < 0) throw invalidOption('securityLog.rateLimitBlockIntervalMs', 'a non-negative integer (ms)', interval);
    this.#blockRepeats = new RepeatThrottle(interval);
    this.#owner = owner;
    if (!enabled) return;
    if (options.rateLimitBlocks !== false) this.#on(CHANNEL_NAMES.rateLimitDecision, (message) => this.#onRateLimit(message));
    if (options.csrfRejections !== false) this.#on(CHANNEL_NAMES.csrfRejection, (message) => this.#onCsrf(message));
  }

  /** Records any security event; `event` is dotted and stable (`auth.login`, `admin.user.delete`). */
  event(event: string, outcome: SecurityOutcome, fields: SecurityFields = {}, state: RequestState | undefined = currentRequest()): void {
    const level = outcome === 'success' ? 'info' : 'warn';
    this.#logger[level](
      {
        ...fields,
        event,
        outcome,
        reqId: state?.requestId,
        ip: state?.clientIp,
        userId: fields['userId'] ?? state?.userId,
        traceId: state?.traceId,
      },
      `security: ${event} ${outcome}`,
    );
  }

  loginSucceeded(fields: { userId: string; method?: string } & SecurityFields): void {
    this.event('auth.login', 'success', fields);
  }

  /** `account` is what the client typed; log it so credential stuffing shows, never the password. */
  loginFailed(fields: { account?: string; reason?: string } & SecurityFields = {}): void {
    this.event('auth.login', 'failure', fields);
  }

  logout(fields: { userId?: string } & SecurityFields = {}): void {
    this.event('auth.logout', 'success', fields);
  }

  sessionRevoked(fields: { userId?: string; reason?: string } & SecurityFields = {}): void {
    this.event('auth.session.revoke', 'success', fields);
  }

  roleChanged(fields: { targetUserId: string; from?: string | readonly string[]; to: string | readonly string[]; by?: string } & SecurityFields): void {
    this.event('authz.role.change', 'success', fields);
  }

  /** An administrative action (`user.delete`, `config.update`, …) and its outcome. */
  adminAction(action: string, fields: SecurityFields = {}, outcome: SecurityOutcome = 'success'): void {
    this.event(`admin.${action}`, outcome, fields);
  }

  /** An account or client locked out after repeated failures. */
  bruteForceBlocked(fields: { account?: string; retryAfterSeconds?: number } & SecurityFields = {}): void {
    this.event('auth.brute_force.block', 'blocked', fields);
  }

  /** The configuration the process started with; pass a redacted summary (Secrets print as `[redacted]` anyway). */
  configLoaded(summary: Readonly<Record<string, unknown>>): void {
    this.event('config.load', 'success', { config: JSON.parse(JSON.stringify(summary)) as unknown }, undefined);
  }

  #onRateLimit(message: unknown): void {
    const { state, rule, outcome, retryAfterSeconds, kind } = message as { state?: RequestState; rule?: unknown; outcome?: unknown; retryAfterSeconds?: unknown; kind?: unknown };
    if (outcome !== 'rejected' || !this.#owns(state)) return;
    const name = typeof rule === 'string' ? rule : (rule as { name?: unknown } | undefined)?.name;
    const event = kind === 'brute-force' ? 'auth.brute_force.block' : 'rate_limit.block';
    const suppressed = this.#blockRepeats.admit(`${event}\u0000${String(name)}\u0000${state?.clientIp ?? ''}`);
    if (suppressed === undefined) return;
    this.event(event, 'blocked', { rule: name, retryAfterSeconds, path: state?.path, ...(suppressed > 0 ? { suppressed } : undefined) }, state);
  }

  #onCsrf(message: unknown): void {
    const { state, reason, enforced } = message as { state?: RequestState; reason?: unknown; enforced?: unknown };
    if (!this.#owns(state)) return;
    this.event('csrf.reject', 'blocked', { reason, path: state?.path, method: state?.method, ...(enforced === false ? { enforced } : undefined) }, state);
  }

  #owns(state: RequestState | undefined): boolean {
    return this.#owner === undefined || state?.owner === this.#owner;
  }

  #on(name: string, listener: (message: unknown) => void): void {
    subscribe(name, listener);
    this.#unsubscribe.push(() => unsubscribe(name, listener));
  }

  flush(): void {
    this.#loggers.flush();
  }

  reopen(): void {
    this.#loggers.reopen();
  }

  /** Stops listening and writes out what is buffered, waiting for its own file to open if it has not yet. */
  close(): Promise<void> {
    for (const stop of this.#unsubscribe.splice(0)) stop();
    return this.#loggers.flushOnClose();
  }
}
