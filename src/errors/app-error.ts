import { PROBLEM_CODES, type ProblemCode } from './codes.js';

/** One field-level validation failure; `pointer` is a JSON Pointer into `{ body, query, params, headers }`. */
export interface FieldError {
  readonly pointer: string;
  readonly detail: string;
}

export interface AppErrorOptions {
  /** HTTP status; defaults to the status registered for the code, else 500. */
  status?: number;
  /** Human-readable explanation sent to the client (RFC 9457 §3.1.4). */
  detail?: string;
  title?: string;
  /** Field errors, only for validation problems. */
  errors?: readonly FieldError[];
  /** Response headers the problem needs (e.g. `Retry-After`). */
  headers?: Readonly<Record<string, string>>;
  /**
   * Whether `detail` may reach clients for a 5xx. Off by default: a 5xx's own
   * message often carries internals (hosts, SQL), so clients get the generic
   * detail outside development. Rampart's own 503s set it.
   */
  expose?: boolean;
  /** Extra members merged into the problem document (RFC 9457 §3.2). */
  extensions?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * An error meant to be answered as an RFC 9457 problem. `code` is a stable,
 * machine-readable identifier: one of Rampart's (see `docs/errors.md`) or the
 * application's own (`NOTE_NOT_FOUND`).
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly expose: boolean;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, options: AppErrorOptions = {}) {
    const known = (PROBLEM_CODES as Record<string, (typeof PROBLEM_CODES)[ProblemCode]>)[code];
    const detail = options.detail;
    super(detail ?? known?.detail ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status ?? known?.status ?? 500;
    this.title = options.title ?? known?.title ?? 'Error';
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers;
    this.expose = options.expose ?? this.status < 500;
    this.extensions = options.extensions;
  }
}

/**
 * Makes the error of an expected rejection (a rate limit, an oversized body,
 * a CSRF refusal) without capturing a stack trace. Those are answered as
 * 4xx/503 problems and their stacks are never logged, yet capturing one is
 * most of what making an error costs: during a flood of 429s, the moment
 * rejecting must stay cheap (`npm run bench:ratelimit -- --only pipeline`).
 */
export function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

type Detail = string | Omit<AppErrorOptions, 'status'>;

function options(detail: Detail | undefined): AppErrorOptions {
  return typeof detail === 'string' ? { detail } : (detail ?? {});
}

export class BadRequestError extends AppError {
  constructor(detail?: Detail) {
    super('BAD_REQUEST', options(detail));
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail?: Detail) {
    // RFC 9110 §15.5.2: a 401 names the scheme the client should use.
    super('UNAUTHORIZED', { headers: { 'www-authenticate': 'Bearer' }, ...options(detail) });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail?: Detail) {
    super('FORBIDDEN', options(detail));
  }
}

export class NotFoundError extends AppError {
  constructor(detail?: Detail) {
    super('NOT_FOUND', options(detail));
  }
}

export class ConflictError extends AppError {
  constructor(detail?: Detail) {
    super('CONFLICT', options(detail));
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail?: Detail) {
    super('PAYLOAD_TOO_LARGE', options(detail));
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail?: Detail) {
    super('UNSUPPORTED_MEDIA_TYPE', options(detail));
  }
}

export class ValidationError extends AppError {
  constructor(errors: readonly FieldError[], detail?: string) {
    super('VALIDATION_FAILED', detail === undefined ? { errors } : { errors, detail });
  }
}

/** 429 with `Retry-After` in whole seconds (RFC 9110 §10.2.3), rounded up so clients never retry early. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, options: Omit<AppErrorOptions, 'status'> = {}) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super('RATE_LIMITED', {
      detail: `Rate limit exceeded. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
      ...options,
      headers: { 'retry-after': String(seconds), ...options.headers },
    });
    this.retryAfterSeconds = seconds;
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail?: Detail, retryAfterSeconds?: number) {
    const base = options(detail);
    const headers = retryAfterSeconds === undefined ? base.headers : { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))), ...base.headers };
    super('SERVICE_UNAVAILABLE', headers === undefined ? base : { ...base, headers });
  }
}

export class InternalError extends AppError {
  constructor(detail?: Detail) {
    super('INTERNAL_ERROR', options(detail));
  }
}
