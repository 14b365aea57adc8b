import { AppError, withoutStack, type AppErrorOptions } from '../errors/app-error.js';
import { invalidOption } from '../errors/option-error.js';
import type { Answer } from '../pipeline/answer.js';
import type { RequestState, RequestView } from '../pipeline/request-state.js';
import { parseForm } from './form.js';
import { FORM_MEDIA_TYPE, JSON_MEDIA_TYPE, MULTIPART_MEDIA_TYPE, charsetOf, compileMediaTypes, mediaTypeOf } from './media-type.js';
import { parseJsonSafely, type JsonLimits, type PrototypeKeyAction } from './safe-json.js';

/** An expected refusal, made without a stack trace (see `withoutStack`): only a refused request pays for it. */
function refusal(code: string, options: AppErrorOptions): AppError {
  return withoutStack(() => new AppError(code, options));
}

export interface LimitsOptions {
  /**
   * Largest JSON or form body in bytes (the bodies Rampart parses). Default
   * 1 MiB. Uploads of other media types are bounded by the route's own parser.
   */
  bodyBytes?: number;
  /** Longest request target (path and query) in characters. Default 8192. */
  urlLength?: number;
  /** Largest `Cookie` header in bytes. Default 8192. */
  cookieBytes?: number;
  /** Deepest JSON nesting of objects and arrays. Default 64. */
  jsonDepth?: number;
  /** Most object members in one JSON document. Default 1000. */
  jsonKeys?: number;
  /** Most fields in one urlencoded form. Default 1000. */
  formFields?: number;
  /**
   * Media types a request body may have; anything else is answered 415
   * before the handler runs. Exact types or `type/*`. `false` accepts any.
   * Default JSON, urlencoded forms and multipart forms.
   */
  contentTypes?: readonly string[] | false;
  /**
   * A `__proto__` key (or `constructor` holding `prototype`) in JSON or a form:
   * `reject` it with 400 (default) or `remove` it.
   */
  prototypeKeys?: PrototypeKeyAction;
}

/**
 * The default limits, each with its reason.
 * - `bodyBytes` 1 MiB: Fastify's default `bodyLimit`; ample for JSON APIs and
 *   forms, while uploads belong to a route that streams with its own limit.
 * - `urlLength` 8192: RFC 9110 §4.1 asks servers to support at least 8000
 *   octets; nginx's default `large_client_header_buffers` is 8 KiB too.
 * - `cookieBytes` 8192: RFC 6265 §6.1 asks browsers for 4096 bytes per
 *   cookie; twice that fits any sane set while bounding what is parsed.
 * - `jsonDepth` 64: System.Text.Json's default `MaxDepth`; deep enough for
 *   any real document, shallow enough for recursive validators.
 * - `jsonKeys`, `formFields` 1000: body-parser's `parameterLimit` and PHP's
 *   `max_input_vars`; bounds hash-flooding and per-key work.
 */
export const DEFAULT_LIMITS = Object.freeze({
  bodyBytes: 1024 * 1024,
  urlLength: 8192,
  cookieBytes: 8192,
  jsonDepth: 64,
  jsonKeys: 1000,
  formFields: 1000,
  contentTypes: Object.freeze([JSON_MEDIA_TYPE, FORM_MEDIA_TYPE, MULTIPART_MEDIA_TYPE]) as readonly string[],
  prototypeKeys: 'reject' as PrototypeKeyAction,
});

const DECIMAL = /^\d+$/;

/** Bytes of a request body that `RequestLimits.parse` handles itself. */
export type ParsedBodyKind = 'json' | 'form';

/**
 * Request limits, resolved once: the gate that refuses oversized URLs, cookie
 * headers and bodies before anything is read, and the body parsers every
 * adapter uses so that a 413, 415 or 400 reads the same on each of them.
 */
export class RequestLimits {
  readonly bodyBytes: number;
  readonly urlLength: number;
  readonly cookieBytes: number;
  readonly formFields: number;
  readonly json: JsonLimits;
  readonly prototypeKeys: PrototypeKeyAction;
  readonly #accepts: ((mediaType: string) => boolean) | undefined;

  constructor(options: LimitsOptions = {}) {
    if (typeof options !== 'object' || options === null) throw invalidOption('limits', 'an object', options);
    this.bodyBytes = positiveInteger('limits.bodyBytes', options.bodyBytes ?? DEFAULT_LIMITS.bodyBytes);
    this.urlLength = positiveInteger('limits.urlLength', options.urlLength ?? DEFAULT_LIMITS.urlLength);
    this.cookieBytes = positiveInteger('limits.cookieBytes', options.cookieBytes ?? DEFAULT_LIMITS.cookieBytes);
    this.formFields = positiveInteger('limits.formFields', options.formFields ?? DEFAULT_LIMITS.formFields);
    const prototypeKeys = options.prototypeKeys ?? DEFAULT_LIMITS.prototypeKeys;
    if (prototypeKeys !== 'reject' && prototypeKeys !== 'remove') throw invalidOption('limits.prototypeKeys', '"reject" or "remove"', prototypeKeys);
    this.prototypeKeys = prototypeKeys;
    this.json = Object.freeze({
      maxDepth: positiveInteger('limits.jsonDepth', options.jsonDepth ?? DEFAULT_LIMITS.jsonDepth),
      maxKeys: positiveInteger('limits.jsonKeys', options.jsonKeys ?? DEFAULT_LIMITS.jsonKeys),
      prototypeKeys,
    });
    const contentTypes = options.contentTypes ?? DEFAULT_LIMITS.contentTypes;
    this.#accepts = contentTypes === false ? undefined : compileMediaTypes('limits.contentTypes', contentTypes);
    Object.freeze(this);
  }

  /**
   * The limits stage: 414 for a long URL, 431 for an oversized `Cookie`
   * header, and, for requests that declare a body, 415 for a media type not
   * accepted and 413 for a JSON or form body declared over the limit. Reads
   * headers only.
   */
  check(view: RequestView): AppError | undefined {
    if (view.url.length > this.urlLength) return refusal('URI_TOO_LONG', { detail: `The request URL is longer than ${this.urlLength} characters.` });
    const cookie = view.header('cookie');
    if (cookie !== undefined && cookie.length > this.cookieBytes) {
      return refusal('HEADERS_TOO_LARGE', { detail: `The Cookie header is larger than ${this.cookieBytes} bytes.` });
    }
    const length = view.header('content-length');
    const chunked = view.header('transfer-encoding') !== undefined;
    if (!chunked && (length === undefined || length === '0')) return undefined;
    const contentType = view.header('content-type');
    const unsupported = this.checkMediaType(contentType);
    if (unsupported !== undefined) return unsupported;
    // JSON and forms are Rampart's to parse, so their size is refused here, before a byte is read.
    // Uploads of other types are bounded by the route's own parser (multer, @fastify/multipart, bodyLimit).
    // A malformed Content-Length is the HTTP parser's to refuse; compare only a clean one.
    if (length !== undefined && DECIMAL.test(length) && Number(length) > this.bodyBytes && this.kindOf(contentType) !== undefined) return this.tooLarge();
    return undefined;
  }

  /**
   * 415 unless the body's media type is accepted (a body must declare one,
   * RFC 9110 §8.3), and, for the JSON and form bodies Rampart parses, unless
   * it is UTF-8 (RFC 8259 §8.1 requires it of JSON exchanged between systems).
   */
  checkMediaType(contentType: string | null | undefined): AppError | undefined {
    const mediaType = mediaTypeOf(contentType);
    if (this.#accepts !== undefined && (mediaType === undefined || !this.#accepts(mediaType))) {
      return refusal('UNSUPPORTED_MEDIA_TYPE', {
        detail: mediaType === undefined ? 'The request has a body but no Content-Type.' : `The request body's media type "${mediaType.slice(0, 100)}" is not accepted.`,
      });
    }
    if (this.kindOf(contentType) === undefined) return undefined;
    const charset = charsetOf(contentType);
    if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return undefined;
    return refusal('UNSUPPORTED_MEDIA_TYPE', { detail: 'JSON and form bodies must be encoded as UTF-8.' });
  }

  /** A gate for the pipeline, answering with the problem `reject` renders. */
  gate(reject: (error: AppError, state: RequestState) => Answer): (state: RequestState, view: RequestView) => Answer | undefined {
    const check = (view: RequestView): AppError | undefined => this.check(view);
    return function limitsGate(state, view) {
      const error = check(view);
      return error === undefined ? undefined : reject(error, state);
    };
  }

  tooLarge(): AppError {
    return refusal('PAYLOAD_TOO_LARGE', { detail: `The request body is larger than ${this.bodyBytes} bytes.` });
  }

  /** Which built-in parser handles a media type, if any. */
  kindOf(contentType: string | null | undefined): ParsedBodyKind | undefined {
    const mediaType = mediaTypeOf(contentType);
    if (mediaType === JSON_MEDIA_TYPE) return 'json';
    if (mediaType === FORM_MEDIA_TYPE) return 'form';
    return undefined;
  }

  /** JSON under the depth, key and prototype rules. See `parseJsonSafely`. */
  parseJson(text: string): unknown {
    return parseJsonSafely(text, this.json);
  }

  /** An urlencoded form under the field and prototype rules. See `parseForm`. */
  parseForm(text: string): Record<string, string | string[]> {
    return parseForm(text, this.formFields, this.prototypeKeys);
  }

  /**
   * Reads a body stream (a Node request or a Web `ReadableStream`: both are
   * async iterables of bytes) up to `bodyBytes`, stopping as soon as the
   * limit is passed, and decodes it as strict UTF-8.
   */
  async readText(chunks: AsyncIterable<Uint8Array>): Promise<string> {
    const parts: Uint8Array[] = [];
    let received = 0;
    for await (const chunk of chunks) {
      received += chunk.byteLength;
      if (received > this.bodyBytes) throw this.tooLarge();
      parts.push(chunk);
    }
    return this.decodeText(Buffer.concat(parts, received));
  }

  /**
   * Decodes body bytes as strict UTF-8 (a leading BOM is dropped, RFC 8259
   * §8.1). Invalid sequences are refused rather than replaced with U+FFFD:
   * lossy decoding would let two different byte strings read as the same
   * text, and every adapter must answer the same bytes the same way.
   */
  decodeText(bytes: Uint8Array): string {
    try {
      return UTF8.decode(bytes);
    } catch (error) {
      throw new AppError('BAD_REQUEST', { detail: 'The request body is not valid UTF-8.', cause: error });
    }
  }

  /**
   * Reads and parses a body: JSON and urlencoded forms with the rules above.
   * Any other accepted media type is returned as text (the caller, or a
   * route's own parser, decides what it means).
   */
  async read(chunks: AsyncIterable<Uint8Array>, contentType: string | null | undefined): Promise<unknown> {
    const unsupported = this.checkMediaType(contentType);
    if (unsupported !== undefined) throw unsupported;
    const text = await this.readText(chunks);
    switch (this.kindOf(contentType)) {
      case 'json':
        return this.parseJson(text);
      case 'form':
        return this.parseForm(text);
      case undefined:
        return text;
    }
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function positiveInteger(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalidOption(option, 'a positive integer', value);
  return value;
}
