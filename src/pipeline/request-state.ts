import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';

/** What the core needs to see of a request; adapters build it without allocating a Web `Request`. */
export interface RequestView {
  readonly method: string;
  /** Path and query string as received. */
  readonly url: string;
  readonly remoteAddress: string | undefined;
  /** TLS on this socket (not what a proxy says). */
  readonly encrypted: boolean;
  /** A header by lower-case name; repeated headers joined with ", ". */
  header(name: string): string | undefined;
}

const MAX_LOGGED_PATH = 2048;

/**
 * The path of a request target: up to its query (`?`) or a fragment (`#`).
 * Browsers never send a fragment, but a raw client can (Node's parser
 * accepts `GET /login#x`), and every router drops it (find-my-way,
 * Express's parseurl, the WHATWG URL a `Request` carries): the path rules
 * match must be the one the router routes, or `/login#x` would dodge a
 * rule on `/login`.
 */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  const end = fragment !== -1 && (query === -1 || fragment < query) ? fragment : query;
  return end === -1 ? url : url.slice(0, end);
}

/**
 * Everything Rampart knows about one request. It is the AsyncLocalStorage
 * store, so `currentRequest()` returns it anywhere in the request's async
 * call tree.
 */
export class RequestState {
  readonly requestId: string;
  readonly traceId: string | undefined;
  /** The caller's span id from `traceparent`. */
  readonly parentSpanId: string | undefined;
  /** This request's span: the active OpenTelemetry span's id, or a new one when the caller sent `traceparent`. */
  readonly spanId: string | undefined;
  readonly clientIp: string;
  /** HTTPS as the client sent it (directly, or through a trusted proxy). */
  readonly secure: boolean;
  readonly method: string;
  /** Path without the query string, as received (still percent-encoded), capped for logs. */
  readonly path: string;
  readonly userAgent: string | undefined;
  /** `performance.now()` when Rampart first saw the request. */
  readonly startedAt: number;
  /**
   * The engine that began the request, as an opaque token. Rampart's
   * diagnostics channels are process-wide: an engine's security log and
   * metrics count only the events of requests it began, so two engines in
   * one process (an app and its admin app) do not count each other's.
   */
  readonly owner: object;
  /** Set by the application once it knows who is calling (`setUser()`). */
  userId: string | undefined = undefined;
  /** Route template (`/notes/:id`), set by the adapter when the framework knows it. */
  route: string | undefined = undefined;
  /** The problem this request was answered with, for the access line. */
  problemCode: string | undefined = undefined;
  /** Set by `Rampart.finish`: the access line and metrics are written once, however the request ended. */
  finished = false;
  /** A 5xx cause, logged once on the access line. */
  error: unknown = undefined;
  /** Set by `presetHeaders()`: the fixed security headers were set before the handler ran. */
  headersPreset = false;
  /** Headers other stages add to the response (rate limit, CORS), flat name/value pairs. */
  responseHeaders: string[] | undefined = undefined;

  #nonce: string | undefined = undefined;
  #log: Logger | undefined = undefined;
  readonly #rootLogger: Logger;

  constructor(fields: {
    requestId: string;
    traceId: string | undefined;
    parentSpanId: string | undefined;
    spanId?: string | undefined;
    clientIp: string;
    secure: boolean;
    method: string;
    url: string;
    userAgent: string | undefined;
    startedAt: number;
    owner: object;
    rootLogger: Logger;
  }) {
    this.requestId = fields.requestId;
    this.traceId = fields.traceId;
    this.parentSpanId = fields.parentSpanId;
    this.spanId = fields.spanId;
    this.clientIp = fields.clientIp;
    this.secure = fields.secure;
    this.method = fields.method;
    const path = pathOf(fields.url);
    this.path = path.length > MAX_LOGGED_PATH ? path.slice(0, MAX_LOGGED_PATH) : path;
    this.userAgent = fields.userAgent;
    this.startedAt = fields.startedAt;
    this.owner = fields.owner;
    this.#rootLogger = fields.rootLogger;
  }

  /** A CSP nonce for this response: 128 random bits, made on first use (CSP3 §6.1 asks for at least 128). */
  get cspNonce(): string {
    return (this.#nonce ??= randomBytes(16).toString('base64'));
  }

  /** Whether the handler asked for a nonce, so the HTML CSP must carry it. */
  get nonceUsed(): boolean {
    return this.#nonce !== undefined;
  }

  /** A logger whose lines carry this request's id (and trace id), made on first use. */
  get log(): Logger {
    return (this.#log ??= this.#rootLogger.child(this.traceId === undefined ? { reqId: this.requestId } : { reqId: this.requestId, traceId: this.traceId, spanId: this.spanId }));
  }

  addResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= []).push(name, value);
  }
}
