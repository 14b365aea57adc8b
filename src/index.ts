// The public surface of the framework-free core. Adapters use only what is
// exported here; test/unit/exports.test.ts snapshots this list.
export { PROBLEM_CODES, RAMPART_CODES, CODE_FOR_STATUS, isProblemCode, type ProblemCode, type RampartCode } from './errors/codes.js';
export {
  AppError,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  RateLimitedError,
  ServiceUnavailableError,
  InternalError,
  type AppErrorOptions,
  type FieldError,
} from './errors/app-error.js';
export { RampartError } from './errors/option-error.js';
export { renderProblem, toAppError, PROBLEM_CONTENT_TYPE, type ProblemDocument, type ProblemResponse, type ProblemSettings } from './errors/problem.js';
export { resolveRequestId } from './request-id/request-id.js';
export { parseTraceParent, type TraceParent } from './request-id/traceparent.js';
export { currentRequest, log, setUser, runWithRequest } from './context/context.js';
export { createClientAddressResolver, type TrustProxy, type ClientAddress, type AddressSource } from './client-ip/trust-proxy.js';
export { ipPrefixKey, normalizeIp } from './client-ip/ip-address.js';
export { API_CSP, DOCUMENT_CSP, PERMISSIONS_POLICY, type HstsOptions, type SecurityHeadersOptions } from './headers/security-headers.js';
export { SENSITIVE_KEY, REDACTED } from './log/redact.js';
export type { LogOptions, LogFormat } from './log/logger.js';
export { UNMATCHED_ROUTE } from './log/access-log.js';
export { PROFILES, profileFromEnv, isProductionLike, type Profile } from './profile/profile.js';
export { Rampart, createRampart, DEFAULT_UNLOGGED_PATHS, type RampartOptions, type Gate } from './pipeline/rampart.js';
export { RequestState, type RequestView } from './pipeline/request-state.js';
export { NodeRequestView } from './pipeline/node-request-view.js';
export type { Answer, HeaderOps } from './pipeline/answer.js';
export { Keyring, type Verification } from './secrets/keyring.js';
export { runCheck, DEFAULT_CHECK_TIMEOUT_MS, type Check, type CheckResult, type CheckStatus } from './checks/check.js';
export { CHANNEL_NAMES } from './diagnostics/channels.js';
