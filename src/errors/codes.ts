/**
 * Every error code Rampart emits, in one place.
 *
 * Two families share this registry:
 * - problem codes (`RATE_LIMITED`, `NOT_FOUND`, …) are sent to clients in the
 *   `code` member of an RFC 9457 problem document;
 * - `RAMPART_*` codes name programming and configuration mistakes, thrown at
 *   construction or startup and never sent to clients.
 *
 * Codes are stable API: a retired code is kept here with `retired: true` and
 * never reused. `test/unit/errors/codes.test.ts` keeps this list, the types
 * and `docs/errors.md` in sync.
 */
export interface ProblemCodeInfo {
  readonly status: number;
  readonly title: string;
  /** The detail sent when the error carries none of its own. */
  readonly detail: string;
  readonly retired?: true;
}

export const PROBLEM_CODES = {
  BAD_REQUEST: { status: 400, title: 'Bad Request', detail: 'The request could not be understood.' },
  MALFORMED_JSON: { status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON.' },
  HOST_NOT_ALLOWED: { status: 400, title: 'Bad Request', detail: 'The request names a host this service does not serve.' },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', detail: 'Authentication is required to access this resource.' },
  FORBIDDEN: { status: 403, title: 'Forbidden', detail: 'You do not have permission to perform this action.' },
  CSRF_REJECTED: { status: 403, title: 'Forbidden', detail: 'The request was rejected by cross-site request forgery protection.' },
  CORS_REJECTED: { status: 403, title: 'Forbidden', detail: 'The cross-origin request is not allowed by this API.' },
  NOT_FOUND: { status: 404, title: 'Not Found', detail: 'The requested resource was not found.' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method Not Allowed', detail: 'The request method is not supported by this resource.' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request Timeout', detail: 'The request was not received in time.' },
  CONFLICT: { status: 409, title: 'Conflict', detail: 'The request conflicts with the current state of the resource.' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Content Too Large', detail: 'The request body is larger than the server accepts.' },
  URI_TOO_LONG: { status: 414, title: 'URI Too Long', detail: 'The request URL is longer than the server accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type', detail: 'The request body has a content type the server does not accept.' },
  VALIDATION_FAILED: { status: 422, title: 'Unprocessable Content', detail: 'The request did not pass validation.' },
  RATE_LIMITED: { status: 429, title: 'Too Many Requests', detail: 'Rate limit exceeded.' },
  HEADERS_TOO_LARGE: { status: 431, title: 'Request Header Fields Too Large', detail: 'The request headers are larger than the server accepts.' },
  INTERNAL_ERROR: { status: 500, title: 'Internal Server Error', detail: 'An unexpected error occurred. It has been logged; quote the request id when reporting it.' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service Unavailable', detail: 'The service is temporarily unavailable. Try again later.' },
} as const satisfies Record<string, ProblemCodeInfo>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface RampartCodeInfo {
  readonly message: string;
  readonly retired?: true;
}

export const RAMPART_CODES = {
  RAMPART_INVALID_OPTION: { message: 'An option passed to Rampart is invalid; the message names the option and what it accepts.' },
  RAMPART_FORWARDED_WITHOUT_TRUST: {
    message: 'A request carried X-Forwarded-For or Forwarded while trustProxy is off; the headers were ignored. Set trustProxy if the service runs behind a proxy.',
  },
  RAMPART_NO_REQUEST_CONTEXT: { message: 'A request-scoped accessor was called outside a request handled by Rampart.' },
  RAMPART_CONFIG_INVALID: { message: 'The configuration failed validation; the message lists every problem with its remedy, never a secret value.' },
  RAMPART_DEPENDENCY_UNAVAILABLE: { message: 'A critical dependency check failed before the service started listening; the message names the checks and what to do.' },
  RAMPART_RATE_LIMIT_STORE_FAILURE: {
    message: "A rate-limit store call failed or timed out; each rule's failure policy (open, closed, fallback) decided the request. The line counts the failures since the previous one.",
  },
  RAMPART_RATE_LIMIT_STORE_FULL: {
    message: 'The memory rate-limit store is full of live counters; new keys share one overflow counter per rule until slots expire. Raise maxKeys or use a shared store.',
  },
  RAMPART_RATE_LIMIT_DRY_RUN: { message: 'Rate limiting is in dry-run mode and would have rejected this request; it was let through.' },
  RAMPART_RATE_LIMIT_DISABLED: { message: 'Rate limiting is switched off (RATE_LIMIT_ENABLED=false or enabled: false) in a production-like profile.' },
  RAMPART_RATE_LIMIT_NO_KEY: { message: 'A rate-limit rule was consumed without a key for the request (a user rule before setUser()); pass { key } or set the user first.' },
} as const satisfies Record<string, RampartCodeInfo>;

export type RampartCode = keyof typeof RAMPART_CODES;

/** The HTTP status → default problem code used when only a status is known. */
export const CODE_FOR_STATUS: Readonly<Record<number, ProblemCode>> = Object.freeze({
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
});

export function isProblemCode(code: unknown): code is ProblemCode {
  return typeof code === 'string' && Object.hasOwn(PROBLEM_CODES, code);
}
