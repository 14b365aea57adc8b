import { AppError } from '../errors/app-error.js';
import { invalidOption } from '../errors/option-error.js';
import type { Answer } from '../pipeline/answer.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import { compileOriginMatcher, type OriginMatcher } from './origin.js';

export interface CorsOptions {
  /**
   * Origins allowed to read responses: exact origins
   * (`https://app.example.com`) and one-label patterns
   * (`https://*.example.com`), or `'*'` for a public, credential-free API.
   * No default: listing them is the point.
   */
  origins: readonly string[] | '*';
  /**
   * Let allowed origins send cookies and read the response
   * (`Access-Control-Allow-Credentials: true`). Default false. Refused with
   * `'*'` (the Fetch standard forbids it, and reflecting any origin instead
   * would hand every site the user's session). With it on, the allowed
   * origins are also trusted by CSRF protection.
   */
  credentials?: boolean;
  /** Methods allowed cross-origin. Default GET, HEAD, POST, PUT, PATCH, DELETE. */
  methods?: readonly string[];
  /** Request headers allowed cross-origin. Default `content-type`, `authorization`, `x-csrf-token`, `x-request-id`. */
  allowedHeaders?: readonly string[];
  /** Response headers scripts may read. Default the request id, `retry-after`, `ratelimit`, `ratelimit-policy`. */
  exposedHeaders?: readonly string[];
  /** Seconds browsers may cache a preflight answer. Default 600; Chromium caps it at 7200. */
  maxAge?: number;
}

/** Defaults and their reasons. */
export const CORS_DEFAULTS = Object.freeze({
  methods: Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
  allowedHeaders: Object.freeze(['content-type', 'authorization', 'x-csrf-token', 'x-request-id']),
  exposedHeaders: Object.freeze(['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy']),
  /** Ten minutes: few preflights, and removing an origin takes effect within minutes. */
  maxAge: 600,
});

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The compiled policy: what the gate needs per request, computed once. */
export class CorsPolicy {
  readonly credentials: boolean;
  readonly anyOrigin: boolean;
  readonly allows: OriginMatcher;
  readonly #methods: ReadonlySet<string>;
  readonly #headers: ReadonlySet<string>;
  readonly #allowMethods: string;
  readonly #allowHeaders: string;
  readonly #exposeHeaders: string | undefined;
  readonly #maxAge: string;

  constructor(options: CorsOptions) {
    if (typeof options !== 'object' || options === null) throw invalidOption('cors', 'an object with origins, or false', options);
    const credentials = options.credentials ?? false;
    if (typeof credentials !== 'boolean') throw invalidOption('cors.credentials', 'a boolean', credentials);
    this.credentials = credentials;
    this.anyOrigin = options.origins === '*';
    if (this.anyOrigin && credentials) throw invalidOption('cors.origins', 'explicit origins when credentials is true ("*" with credentials is forbidden)', '*');
    if (!this.anyOrigin && (!Array.isArray(options.origins) || options.origins.length === 0)) throw invalidOption('cors.origins', 'a non-empty array of origins, or "*"', options.origins);
    this.allows = this.anyOrigin ? () => true : compileOriginMatcher('cors.origins', options.origins as readonly string[]);
    const methods = tokens('cors.methods', options.methods ?? CORS_DEFAULTS.methods).map((method) => method.toUpperCase());
    this.#methods = new Set(methods);
    const headers = tokens('cors.allowedHeaders', options.allowedHeaders ?? CORS_DEFAULTS.allowedHeaders).map((name) => name.toLowerCase());
    this.#headers = new Set(headers);
    this.#allowMethods = methods.join(', ');
    this.#allowHeaders = headers.join(', ');
    const exposed = tokens('cors.exposedHeaders', options.exposedHeaders ?? CORS_DEFAULTS.exposedHeaders);
    this.#exposeHeaders = exposed.length === 0 ? undefined : exposed.join(', ');
    const maxAge = options.maxAge ?? CORS_DEFAULTS.maxAge;
    if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0 || maxAge > 86400) throw invalidOption('cors.maxAge', 'whole seconds from 0 to 86400', maxAge);
    this.#maxAge = String(maxAge);
  }

  /**
   * Stage 5. A preflight (OPTIONS with `Origin` and
   * `Access-Control-Request-Method`) is answered here: 204 with the grant,
   * or 403 `CORS_REJECTED` naming what was not allowed. Any other request
   * passes, with the grant queued for its response when its origin is
   * allowed, and `Vary: Origin` always, so a cache never serves one origin's
   * answer to another (Fetch standard, "CORS protocol and HTTP caches").
   */
  gate(reject: (error: AppError, state: RequestState) => Answer): (state: RequestState, view: RequestView) => Answer | undefined {
    const { anyOrigin, allows } = this;
    const preflight = (state: RequestState, origin: string, method: string, headers: string | undefined): Answer => this.#preflight(state, origin, method, headers, reject);
    const grant = (state: RequestState, origin: string): void => this.#grant(state, origin);
    return function corsGate(state, view) {
      const origin = view.header('origin');
      if (view.method === 'OPTIONS' && origin !== undefined) {
        const requestedMethod = view.header('access-control-request-method');
        if (requestedMethod !== undefined) return preflight(state, origin, requestedMethod, view.header('access-control-request-headers'));
      }
      if (!anyOrigin) state.addResponseHeader('vary', 'Origin');
      // The matcher never admits "null" (refused in configuration); '*' admits everyone, as it says.
      if (origin !== undefined && allows(origin)) grant(state, origin);
      return undefined;
    };
  }

  #grant(state: RequestState, origin: string): void {
    state.addResponseHeader('access-control-allow-origin', this.anyOrigin ? '*' : origin);
    if (this.credentials) state.addResponseHeader('access-control-allow-credentials', 'true');
    if (this.#exposeHeaders !== undefined) state.addResponseHeader('access-control-expose-headers', this.#exposeHeaders);
  }

  #preflight(state: RequestState, origin: string, method: string, requestedHeaders: string | undefined, reject: (error: AppError, state: RequestState) => Answer): Answer {
    if (!this.anyOrigin) state.addResponseHeader('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const refusal = !this.allows(origin) ? 'origin' : !this.#methods.has(method) ? 'method' : this.#firstUnlisted(requestedHeaders);
    if (refusal !== undefined) {
      const detail = refusal === 'origin' ? 'This origin may not call this API from a browser.' : refusal === 'method' ? `The method ${method.slice(0, 20)} is not allowed cross-origin.` : `The request header "${refusal.slice(0, 64)}" is not allowed cross-origin.`;
      return reject(new AppError('CORS_REJECTED', { detail, extensions: { reason: refusal === 'origin' || refusal === 'method' ? refusal : 'header' } }), state);
    }
    const headers: Record<string, string> = {
      'access-control-allow-origin': this.anyOrigin ? '*' : origin,
      'access-control-allow-methods': this.#allowMethods,
      'access-control-allow-headers': this.#allowHeaders,
      'access-control-max-age': this.#maxAge,
    };
    if (this.credentials) headers['access-control-allow-credentials'] = 'true';
    return { status: 204, headers, body: '' };
  }

  #firstUnlisted(requested: string | undefined): string | undefined {
    if (requested === undefined || requested === '') return undefined;
    for (const raw of requested.split(',')) {
      const name = raw.trim().toLowerCase();
      if (name !== '' && !this.#headers.has(name)) return name;
    }
    return undefined;
  }
}

function tokens(option: string, values: unknown): string[] {
  if (!Array.isArray(values) || values.some((value) => typeof value !== 'string' || !TOKEN.test(value))) throw invalidOption(option, 'an array of header or method names', values);
  return [...(values as string[])];
}
