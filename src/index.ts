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
export type { AllowedHosts } from './hosts/allowed-hosts.js';
export { SQLITE_DRIVER, openSqlite, type OpenSqliteOptions, type SqliteConnection, type SqliteStatement } from './sqlite/open-sqlite.js';
export { AbandonedRequests } from './pipeline/abandoned-requests.js';
export type { Answer, HeaderOps } from './pipeline/answer.js';
export { Keyring, type Verification } from './secrets/keyring.js';
export { runCheck, DEFAULT_CHECK_TIMEOUT_MS, type Check, type CheckResult, type CheckStatus } from './checks/check.js';
export { CHANNEL_NAMES } from './diagnostics/channels.js';
export { httpCheck, type HttpCheckOptions } from './checks/http.js';
export { diskSpaceCheck, type DiskCheckOptions } from './checks/disk.js';
export { eventLoopCheck, type EventLoopCheckOptions } from './checks/event-loop.js';
export { heapCheck, type HeapCheckOptions } from './checks/heap.js';
export type { HealthRegistry, HealthReport, CheckReport } from './health/registry.js';
export { HEALTH_CONTENT_TYPE } from './health/health-json.js';
export type { AdminOptions, SecretValue } from './health/admin-access.js';
export type { StatusOptions } from './health/status.js';
export type { OperationsOptions, HealthOptions } from './lifecycle/operations.js';
export { HTTP_DURATION_BUCKETS, CLIENT_CLOSED_REQUEST, type RampartMetrics, type MetricsOptions, type MetricDefinition, type AppCounter, type AppGauge, type AppHistogram } from './metrics/metrics.js';
export { OVERFLOW_LABEL_VALUE } from './metrics/series-guard.js';
export type { AdminServer } from './metrics/admin-server.js';
export { DEFAULT_OVERLOAD, type OverloadOptions, type OverloadReadings } from './overload/overload.js';
export type { Lifecycle, ShutdownOptions, CloseHook } from './lifecycle/lifecycle.js';
export { DEFAULT_SERVER_TIMEOUTS, type ServerTimeouts } from './lifecycle/server-timeouts.js';
export { causeChain, type ErrorTracker, type ErrorContext, type ErrorKind } from './error-tracking/tracker.js';
export { sentryErrorTracker, type SentryLike, type SentryScopeLike } from './error-tracking/sentry.js';
export type { SecurityLog, SecurityLogOptions, SecurityOutcome, SecurityFields } from './security-log/security-log.js';
export { Secret, isSecret, revealed } from './secrets/secret.js';
export { secretWeaknesses, MIN_SECRET_KEY_LENGTH, type SecretWeakness } from './secrets/secret-strength.js';
export { defineConfig, isConfigDefinition, ConfigError, type ConfigDefinition, type ConfigOf, type RampartConfig, type DefineConfigOptions, type SettingsShape } from './config/define.js';
export { env, type DurationOptions, type RangeOptions, type StringOptions, type UrlOptions } from './config/fields.js';
export { rule, requiredWhen, forbiddenWhen, type ConfigRule, type ConfigIssue, type RuleContext, type RuleIssue, type RuleResult, type Condition, type ConditionalOptions } from './config/rules.js';
export { describeConfig, type ConfigResult, type SettingSummary } from './config/load.js';
export type { LoadOptions } from './config/sources.js';
export { RAMPART_SETTINGS } from './config/settings.js';
export { optionsFrom, keyringFrom, type RampartSettings, type KeyringSettings } from './config/options.js';
export { sqlitePath } from './config/connection-url.js';
export { startup, StartupError, type StartupOptions } from './startup/startup.js';
export { runStartup, EXIT_CONFIG, EXIT_UNAVAILABLE, type StartupReport, type CheckOutcome, type ChecksFactory, type RunStartupOptions } from './startup/run.js';
export { formatStartupReport, startupReportJson, type RenderOptions } from './startup/render.js';
export { postgresCheck, type PostgresCheckOptions, type PostgresPoolLike, type PostgresQueryable } from './checks/postgres.js';
export { sqliteCheck, type SqliteCheckOptions, type SqliteDatabaseLike } from './checks/sqlite.js';
export { redisCheck, type RedisCheckOptions, type RedisPingable } from './checks/redis.js';
export {
  RateLimiter,
  type RateLimitOptions,
  type RateLimiterContext,
  type RuleDecision,
  type ConsumeOptions,
} from './rate-limit/limiter.js';
export { type RateLimitRule, type RateLimitKey, type FailurePolicy, type PathPattern } from './rate-limit/rules.js';
export { DEFAULT_EXEMPT_PATHS, type RateLimitExemptions } from './rate-limit/exemptions.js';
export { DEFAULT_HEADER_DRAFT, type HeaderDraft } from './rate-limit/headers.js';
export { BruteForceGuard, type BruteForceOptions, type BruteForceLimits } from './rate-limit/brute-force.js';
export { STORE_UNAVAILABLE_DETAIL } from './rate-limit/store-guard.js';
export type { RateLimitStore, AlgorithmName, LimitSpec, Hit, HitResult, StoreDecision, PenaltySpec, PenaltyKey, StoreContext } from './rate-limit/store.js';
export { MemoryStore, memoryStore, DEFAULT_MEMORY_MAX_KEYS, type MemoryStoreOptions, type MemoryStoreStats } from './stores/memory-store.js';
export { CookieJar, DEFAULT_SESSION_MAX_AGE_SECONDS, type CookieOptions, type SetCookieOptions, type CookieValue, type CookieSource } from './cookies/cookie-jar.js';
export { parseCookieHeader, MAX_COOKIES } from './cookies/parse.js';
export { MAX_COOKIE_AGE_SECONDS, type SameSite } from './cookies/serialize.js';
export { CsrfProtection, type IssuedToken } from './csrf/csrf.js';
export { CSRF_REASONS, CSRF_DEFAULTS, type CsrfOptions, type CsrfTokenOptions, type CsrfReason, type MissingOriginPolicy } from './csrf/csrf-options.js';
export { CSRF_KEY_PURPOSE } from './csrf/csrf-token.js';
export { CorsPolicy, CORS_DEFAULTS, type CorsOptions } from './cors/cors.js';
export { RequestLimits, DEFAULT_LIMITS, type LimitsOptions } from './limits/limits.js';
export { parseJsonSafely, type JsonLimits, type PrototypeKeyAction } from './limits/safe-json.js';
export { mediaTypeOf } from './limits/media-type.js';
export { nodeBodyParser, readRequestBody, type BodyStage } from './limits/body-readers.js';
export type { ClientErrorListener } from './limits/client-error.js';
export { validateRequest, validateRequestAsync, validate, toPointer, MAX_FIELD_ERRORS, type RequestSchemas, type RequestParts, type Validated, type ValidationHook, type ValidatableRequest } from './validation/validate.js';
export { openApiDocument, PROBLEM_SCHEMA, type RouteDoc, type ResponseDoc, type OpenApiInfo, type OpenApiOptions } from './validation/openapi.js';
