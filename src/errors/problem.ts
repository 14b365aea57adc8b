import { AppError, ServiceUnavailableError, type FieldError } from './app-error.js';
import { CODE_FOR_STATUS, PROBLEM_CODES, type ProblemCode } from './codes.js';
import { isDependencyFailure } from './dependency-failure.js';

/** An RFC 9457 problem details document with Rampart's extension members. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export interface ProblemResponse {
  readonly status: number;
  /** Lower-case header names; always includes `content-type`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly document: ProblemDocument;
  /** The error as the server sees it, for the log; never serialized to the client. */
  readonly error: AppError;
}

export interface ProblemSettings {
  /** Prefix of the `type` URI; the code's slug is appended (`RATE_LIMITED` → `rate-limited`). */
  readonly typeBase: string;
  /** Development only: show the real message of 5xx and library errors. */
  readonly exposeInternals: boolean;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Sent with a 503 for a dependency that could not be reached; the detail names no dependency. */
export const DEPENDENCY_UNAVAILABLE_DETAIL = 'A service this request depends on is temporarily unavailable. Try again shortly.';
/** A database failover or restart takes seconds; nginx's own 503 page says the same. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/**
 * Any thrown value as an AppError. Errors that carry an HTTP status
 * (framework and body-parser errors do: `statusCode` or `status`) keep it but
 * not their message, which names libraries and internals. A dependency that
 * could not be reached (connection refused or cut, a database shutting down)
 * is a 503 with `Retry-After`, not a 500.
 */
export function toAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown;
  const status = statusOf(thrown);
  if (status !== undefined) {
    const code: ProblemCode = CODE_FOR_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    return new AppError(code, { status, cause: thrown, expose: false });
  }
  if (isDependencyFailure(thrown)) return new ServiceUnavailableError({ detail: DEPENDENCY_UNAVAILABLE_DETAIL, expose: true, cause: thrown }, DEPENDENCY_RETRY_AFTER_SECONDS);
  return new AppError('INTERNAL_ERROR', { cause: thrown });
}

function statusOf(thrown: unknown): number | undefined {
  if (typeof thrown !== 'object' || thrown === null) return undefined;
  const candidate = (thrown as { statusCode?: unknown }).statusCode ?? (thrown as { status?: unknown }).status;
  return typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 400 && candidate <= 599 ? candidate : undefined;
}

/** `RATE_LIMITED` → `rate-limited`. */
export function problemSlug(code: string): string {
  let slug = slugs.get(code);
  if (slug === undefined) {
    slug = code.toLowerCase().replaceAll('_', '-');
    // Codes are a small fixed set (Rampart's and the app's); the cap only guards against codes built from input.
    if (slugs.size < 1000) slugs.set(code, slug);
  }
  return slug;
}
const slugs = new Map<string, string>();

/** Serializes a thrown value as the one error format every Rampart rejection uses. */
export function renderProblem(thrown: unknown, requestId: string, instance: string, settings: ProblemSettings): ProblemResponse {
  const error = toAppError(thrown);
  const registered = (PROBLEM_CODES as Record<string, { detail: string } | undefined>)[error.code];
  const genericDetail = registered?.detail ?? PROBLEM_CODES[CODE_FOR_STATUS[error.status] ?? 'INTERNAL_ERROR'].detail;
  const document: ProblemDocument = {
    ...error.extensions,
    type: settings.typeBase + problemSlug(error.code),
    title: error.title,
    status: error.status,
    detail: detailFor(error, genericDetail, settings.exposeInternals),
    instance,
    code: error.code,
    requestId,
    ...(error.errors === undefined ? undefined : { errors: error.errors }),
  };
  return {
    status: error.status,
    headers: { ...error.headers, 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(document),
    document,
    error,
  };
}

function detailFor(error: AppError, genericDetail: string, exposeInternals: boolean): string {
  if (error.expose) return error.detail ?? genericDetail;
  if (!exposeInternals) return genericDetail;
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return error.detail ?? cause ?? genericDetail;
}
