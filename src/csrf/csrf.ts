import { currentRequest } from '../context/context.js';
import type { CookieJar } from '../cookies/cookie-jar.js';
import { parseCookieHeader } from '../cookies/parse.js';
import { compileOriginMatcher, type OriginMatcher } from '../cors/origin.js';
import { csrfRejectionChannel } from '../diagnostics/channels.js';
import { AppError, withoutStack } from '../errors/app-error.js';
import { RampartError, invalidOption } from '../errors/option-error.js';
import { isFormMediaType, mediaTypeOf } from '../limits/media-type.js';
import type { Answer } from '../pipeline/answer.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import type { Keyring } from '../secrets/keyring.js';
import { CSRF_DEFAULTS, SAFE_METHODS, type CsrfOptions, type CsrfReason, type MissingOriginPolicy } from './csrf-options.js';
import { CsrfTokens, type TokenBinding } from './csrf-token.js';
import { compileExemptPaths } from './exempt-paths.js';

/** The `detail` of each rejection: what happened, and what a legitimate client does about it. */
function detailsFor(field: string, header: string): Readonly<Record<CsrfReason, string>> {
  return Object.freeze({
    'cross-site': 'Requests from other sites may not change anything here.',
    'origin-mismatch': "The request's Origin is not this site.",
    'origin-missing': 'The request carries cookies but neither an Origin nor a Sec-Fetch-Site header.',
    'token-missing': `The request has no CSRF token. Send the token the page was given in the "${field}" form field or the "${header}" header.`,
    'token-invalid': 'The CSRF token is invalid or has expired. Reload the page and try again.',
  });
}

/** A token for a page, and the anchor cookie to set when the browser has none yet. */
export interface IssuedToken {
  readonly token: string;
  /** A `Set-Cookie` value, when the browser has no valid anchor cookie yet. */
  readonly setCookie: string | undefined;
}

export interface CsrfDependencies {
  readonly keyring: Keyring;
  readonly cookies: CookieJar;
  /** Renders a rejection as the pipeline's answer. */
  readonly reject: (error: AppError, state: RequestState) => Answer;
  /** Extra origins to trust (the CORS allowlist, when it allows credentials). */
  readonly alsoTrusted?: OriginMatcher | undefined;
  readonly now?: () => number;
}

/**
 * CSRF protection, two layers (OWASP CSRF Prevention Cheat Sheet; Go's
 * `net/http.CrossOriginProtection` for the first):
 *
 * 1. Fetch Metadata, always on for unsafe methods: `Sec-Fetch-Site:
 *    same-origin` or `none` passes, `cross-site` and `same-site` are refused
 *    unless `Origin` is trusted. Without `Sec-Fetch-Site`, `Origin` must be
 *    one of the configured public origins; `Origin: null` never is.
 * 2. For requests carrying cookies, a signed token bound to the session,
 *    from the `X-CSRF-Token` header or the `_csrf` form field, never from a
 *    cookie.
 *
 * Header tokens are checked in the gate. A form field lives in the body,
 * which is parsed after the gates: the gate defers it to `checkBody`, which
 * adapters call once the body is parsed, and only adapters that declared
 * they do (`enableBodyStage`) get the deferral: elsewhere a form without the
 * header is refused rather than let through unchecked.
 */
export class CsrfProtection {
  readonly enabled: boolean;
  readonly enforce: boolean;
  readonly tokensEnabled: boolean;
  readonly tokenField: string;
  readonly tokenHeader: string;
  readonly anchorName: string;

  readonly #tokens: CsrfTokens;
  readonly #cookies: CookieJar;
  readonly #anchorBase: string;
  readonly #details: Readonly<Record<CsrfReason, string>>;
  readonly #reject: (error: AppError, state: RequestState) => Answer;
  readonly #isExempt: (path: string) => boolean;
  readonly #isOwnOrigin: OriginMatcher;
  readonly #isTrusted: OriginMatcher;
  readonly #missingOrigin: MissingOriginPolicy;
  readonly #exemptWithoutCookies: boolean;
  readonly #sessionId: (cookies: Readonly<Record<string, string>>) => string | undefined;
  /** Form posts waiting for the body stage, with the `Cookie` header their token must match. */
  readonly #pending = new WeakMap<RequestState, string>();
  #bodyStage = false;

  constructor(options: CsrfOptions | false, dependencies: CsrfDependencies) {
    this.enabled = options !== false;
    const settings = options === false ? {} : options;
    if (typeof settings !== 'object' || settings === null) throw invalidOption('csrf', 'an object or false', options);
    const mode = settings.mode ?? CSRF_DEFAULTS.mode;
    if (mode !== 'enforce' && mode !== 'log-only') throw invalidOption('csrf.mode', '"enforce" or "log-only"', mode);
    this.enforce = mode === 'enforce';
    this.#isOwnOrigin = compileOriginMatcher('csrf.origins', settings.origins ?? []);
    const trusted = compileOriginMatcher('csrf.trustedOrigins', settings.trustedOrigins ?? []);
    const alsoTrusted = dependencies.alsoTrusted;
    this.#isTrusted = alsoTrusted === undefined ? trusted : (origin) => trusted(origin) || alsoTrusted(origin);
    this.#isExempt = compileExemptPaths('csrf.exemptPaths', settings.exemptPaths ?? []);
    const missingOrigin = settings.missingOrigin ?? CSRF_DEFAULTS.missingOrigin;
    if (missingOrigin !== 'allow-without-cookies' && missingOrigin !== 'allow' && missingOrigin !== 'reject') {
      throw invalidOption('csrf.missingOrigin', '"allow-without-cookies", "allow" or "reject"', missingOrigin);
    }
    this.#missingOrigin = missingOrigin;
    const exemptWithoutCookies = settings.exemptWithoutCookies ?? CSRF_DEFAULTS.exemptWithoutCookies;
    if (typeof exemptWithoutCookies !== 'boolean') throw invalidOption('csrf.exemptWithoutCookies', 'a boolean', exemptWithoutCookies);
    this.#exemptWithoutCookies = exemptWithoutCookies;

    const tokens = settings.tokens ?? {};
    if (tokens !== false && (typeof tokens !== 'object' || tokens === null)) throw invalidOption('csrf.tokens', 'an object or false', tokens);
    this.tokensEnabled = tokens !== false;
    const tokenOptions = tokens === false ? {} : tokens;
    const maxAge = tokenOptions.maxAge ?? CSRF_DEFAULTS.tokenMaxAge;
    if (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 60) throw invalidOption('csrf.tokens.maxAge', 'whole seconds, at least 60', maxAge);
    this.tokenField = nonEmpty('csrf.tokens.field', tokenOptions.field ?? CSRF_DEFAULTS.tokenField);
    this.tokenHeader = nonEmpty('csrf.tokens.header', tokenOptions.header ?? CSRF_DEFAULTS.tokenHeader).toLowerCase();
    this.#cookies = dependencies.cookies;
    this.#anchorBase = nonEmpty('csrf.tokens.cookie', tokenOptions.cookie ?? CSRF_DEFAULTS.tokenCookie);
    this.anchorName = dependencies.cookies.name(this.#anchorBase);
    this.#details = detailsFor(this.tokenField, this.tokenHeader);
    const sessionName = dependencies.cookies.sessionName;
    const sessionId = tokenOptions.sessionId ?? ((cookies) => cookies[sessionName]);
    if (typeof sessionId !== 'function') throw invalidOption('csrf.tokens.sessionId', 'a function of the cookies', sessionId);
    this.#sessionId = sessionId;
    this.#tokens = new CsrfTokens(dependencies.keyring, maxAge, dependencies.now);
    this.#reject = dependencies.reject;
  }

  /**
   * Declares that the adapter calls `checkBody(state, body)` after parsing
   * every request body and before the handler, so form posts may carry their
   * token in the `_csrf` field.
   */
  enableBodyStage(): void {
    this.#bodyStage = true;
  }

  /** Stage 7 of the pipeline. Reads headers only; cookies are parsed only for unsafe requests that carry them. */
  readonly gate = (state: RequestState, view: RequestView): Answer | undefined => {
    if (SAFE_METHODS.has(view.method) || this.#isExempt(state.path)) return undefined;
    const cookieHeader = view.header('cookie');
    const hasCookies = cookieHeader !== undefined && cookieHeader.trim() !== '';
    if (!hasCookies && this.#exemptWithoutCookies) return undefined;
    const error = this.#inspect(state, view, cookieHeader, hasCookies);
    return error === undefined ? undefined : this.#reject(error, state);
  };

  #inspect(state: RequestState, view: RequestView, cookieHeader: string | undefined, hasCookies: boolean): AppError | undefined {
    const originReason = this.#checkOrigin(view, hasCookies);
    if (originReason !== undefined) return this.#refuse(state, originReason);
    // A token binds to the session in the cookies; without cookies there is nothing to forge.
    if (!this.tokensEnabled || cookieHeader === undefined || !hasCookies) return undefined;
    const token = view.header(this.tokenHeader);
    if (token !== undefined) return this.#verify(state, token, cookieHeader);
    if (this.#bodyStage && isFormMediaType(mediaTypeOf(view.header('content-type')))) {
      this.#pending.set(state, cookieHeader);
      return undefined;
    }
    return this.#refuse(state, 'token-missing');
  }

  /**
   * The body stage: verifies the `_csrf` field of a form the gate deferred.
   * A no-op for every other request.
   *
   * @throws AppError `CSRF_REJECTED` (unless in log-only mode).
   */
  checkBody(state: RequestState, body: unknown): void {
    const cookieHeader = this.#pending.get(state);
    if (cookieHeader === undefined) return;
    this.#pending.delete(state);
    const token = fieldOf(body, this.tokenField);
    const error = token === undefined ? this.#refuse(state, 'token-missing') : this.#verify(state, token, cookieHeader);
    if (error !== undefined) throw error;
  }

  /**
   * A token for a page or an API client, bound to the caller's session and
   * anchor cookie, and the anchor cookie to set if the browser has none.
   */
  issue(cookieHeader: string | null | undefined): IssuedToken {
    const cookies = parseCookieHeader(cookieHeader);
    const existing = cookies[this.anchorName];
    const anchor = CsrfTokens.isAnchor(existing) ? existing : CsrfTokens.newAnchor();
    const setCookie = anchor === existing ? undefined : this.#cookies.serialize(this.#anchorBase, anchor, { signed: false });
    return { token: this.#tokens.issue(this.#binding(cookies, anchor)), setCookie };
  }

  /**
   * The token for the page being rendered: put it in a hidden `_csrf` field
   * or a `<meta>` tag for scripts to send as `X-CSRF-Token`. If the browser
   * has no anchor cookie yet, it is added to the response.
   *
   * @example
   * const token = app.rampart.csrf.token(request.headers.cookie);
   * return reply.type('text/html').send(`<form method="post"><input type="hidden" name="_csrf" value="${token}">…`);
   */
  token(cookieHeader: string | null | undefined): string {
    const issued = this.issue(cookieHeader);
    if (issued.setCookie !== undefined) {
      const state = currentRequest();
      if (state === undefined) throw new RampartError('RAMPART_NO_REQUEST_CONTEXT', 'csrf.token() needs a request handled by Rampart to set its cookie; use csrf.issue() and set the cookie yourself.');
      state.addResponseHeader('set-cookie', issued.setCookie);
    }
    return issued.token;
  }

  #binding(cookies: Readonly<Record<string, string>>, anchor: string): TokenBinding {
    return { sessionId: this.#sessionId(cookies) ?? '', anchor };
  }

  #checkOrigin(view: RequestView, hasCookies: boolean): CsrfReason | undefined {
    const site = view.header('sec-fetch-site');
    const origin = view.header('origin');
    if (site !== undefined) {
      // Fetch Metadata (W3C): the browser's own statement of who initiated the request.
      if (site === 'same-origin' || site === 'none') return undefined;
      return origin !== undefined && this.#isTrusted(origin) ? undefined : 'cross-site';
    }
    if (origin !== undefined) {
      // RFC 6454 §7.3: "null" is sent by sandboxed frames, data: and file: documents; it names no one.
      if (origin === 'null') return 'origin-mismatch';
      return this.#isOwnOrigin(origin) || this.#isTrusted(origin) ? undefined : 'origin-mismatch';
    }
    switch (this.#missingOrigin) {
      case 'allow':
        return undefined;
      case 'reject':
        return 'origin-missing';
      case 'allow-without-cookies':
        return hasCookies ? 'origin-missing' : undefined;
    }
  }

  #verify(state: RequestState, token: string, cookieHeader: string): AppError | undefined {
    const cookies = parseCookieHeader(cookieHeader);
    const anchor = cookies[this.anchorName];
    if (!CsrfTokens.isAnchor(anchor)) return this.#refuse(state, 'token-invalid', 'no anchor cookie');
    const verdict = this.#tokens.verify(token, this.#binding(cookies, anchor));
    return verdict === 'valid' ? undefined : this.#refuse(state, 'token-invalid', verdict);
  }

  /** Publishes and logs a refusal; returns the error to answer with, or undefined in log-only mode. */
  #refuse(state: RequestState, reason: CsrfReason, why?: string): AppError | undefined {
    const enforced = this.enforce;
    if (csrfRejectionChannel.hasSubscribers) csrfRejectionChannel.publish({ state, reason, enforced });
    state.log.warn({ code: 'CSRF_REJECTED', reason, why, enforced }, enforced ? 'csrf rejected' : 'csrf would reject (log-only)');
    return enforced ? withoutStack(() => new AppError('CSRF_REJECTED', { detail: this.#details[reason], extensions: { reason } })) : undefined;
  }
}

/** The token from a parsed form: a string field, or `{ value }` as multipart parsers attach fields. */
function fieldOf(body: unknown, field: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const value = Object.hasOwn(body, field) ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { value?: unknown }).value === 'string') return (value as { value: string }).value;
  return undefined;
}

function nonEmpty(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw invalidOption(option, 'a name of letters, digits, "-" or "_"', value);
  return value;
}
