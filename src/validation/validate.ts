import { z } from 'zod';
import { ValidationError, type FieldError } from '../errors/app-error.js';
import { invalidOption } from '../errors/option-error.js';

/** zod schemas for the parts of a request; any may be omitted. */
export interface RequestSchemas {
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly params?: z.ZodType;
  readonly headers?: z.ZodType;
}

/** The parts of a request as the framework parsed them. Header names lower-case. */
export interface RequestParts {
  body?: unknown;
  query?: unknown;
  params?: unknown;
  headers?: unknown;
}

/** The parsed (coerced, defaulted, transformed) values of the parts that have a schema. */
export type Validated<S extends RequestSchemas> = { -readonly [K in keyof S]: S[K] extends z.ZodType ? z.output<S[K]> : never };

const PARTS = ['params', 'query', 'headers', 'body'] as const;
type Part = (typeof PARTS)[number];

/** At most this many field errors are reported: enough to fix a form, bounded for a hostile one. */
export const MAX_FIELD_ERRORS = 100;

/** Per-parse message override: a missing value reads "Required", not "expected string, received undefined". */
const PARSE_OPTIONS = { error: (issue: { code?: string; input?: unknown }) => (issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined) };

/**
 * Validates a request against zod schemas, reporting every failure of every
 * part at once, and returns the parsed values.
 *
 * @throws ValidationError (422 `VALIDATION_FAILED`) whose `errors` are
 * `{ pointer, detail }` with a JSON Pointer (RFC 6901, in URI fragment form)
 * into `{ body, query, params, headers }`: `#/body/email`, `#/query/limit`.
 *
 * @example
 * const { body, params } = validateRequest({ body: NoteInput, params: z.object({ id: z.uuid() }) }, request);
 */
export function validateRequest<S extends RequestSchemas>(schemas: S, parts: RequestParts): Validated<S> {
  const result: Partial<Record<Part, unknown>> = {};
  const errors: FieldError[] = [];
  for (const part of PARTS) {
    const schema = schemas[part];
    if (schema === undefined) continue;
    collect(part, schema.safeParse(parts[part], PARSE_OPTIONS), result, errors);
  }
  if (errors.length > 0) throw new ValidationError(errors.slice(0, MAX_FIELD_ERRORS));
  return result as Validated<S>;
}

/** `validateRequest` for schemas with async refinements or transforms. */
export async function validateRequestAsync<S extends RequestSchemas>(schemas: S, parts: RequestParts): Promise<Validated<S>> {
  const result: Partial<Record<Part, unknown>> = {};
  const errors: FieldError[] = [];
  for (const part of PARTS) {
    const schema = schemas[part];
    if (schema === undefined) continue;
    collect(part, await schema.safeParseAsync(parts[part], PARSE_OPTIONS), result, errors);
  }
  if (errors.length > 0) throw new ValidationError(errors.slice(0, MAX_FIELD_ERRORS));
  return result as Validated<S>;
}

function collect(part: Part, outcome: z.ZodSafeParseResult<unknown>, result: Partial<Record<Part, unknown>>, errors: FieldError[]): void {
  if (outcome.success) {
    result[part] = outcome.data;
    return;
  }
  for (const issue of outcome.error.issues) {
    if (errors.length >= MAX_FIELD_ERRORS) return;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ pointer: toPointer(part, [...issue.path, key]), detail: 'Unrecognized key' });
    } else {
      errors.push({ pointer: toPointer(part, issue.path), detail: issue.message });
    }
  }
}

/**
 * A JSON Pointer (RFC 6901) as a URI fragment: `~` → `~0`, `/` → `~1`
 * (§3), then characters a fragment cannot hold percent-encoded (§6).
 * Matched per code point (`u`), so an astral character in a client's key
 * is encoded whole; a lone surrogate (valid in a JSON string, not in UTF-8)
 * is written as U+FFFD rather than throwing.
 */
export function toPointer(part: string, path: readonly PropertyKey[]): string {
  let pointer = `#/${part}`;
  for (const segment of path) {
    const text = typeof segment === 'symbol' ? (segment.description ?? '') : String(segment);
    pointer += `/${text.replaceAll('~', '~0').replaceAll('/', '~1').replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu, encodeCodePoint)}`;
  }
  return pointer;
}

/** U+FFFD, percent-encoded as UTF-8. */
const REPLACEMENT_CHARACTER = '%EF%BF%BD';

function encodeCodePoint(char: string): string {
  return char.length === 1 && char >= '\ud800' && char <= '\udfff' ? REPLACEMENT_CHARACTER : encodeURIComponent(char);
}

/** The request shape a `validate()` hook reads and writes: Fastify's request and Express's `req` both have it. */
export interface ValidatableRequest {
  body?: unknown;
  query?: unknown;
  params?: unknown;
  headers?: unknown;
}

/** A `(request, reply, done)` hook: Fastify `preValidation`/`preHandler`, or Express middleware. */
export type ValidationHook = (request: ValidatableRequest, reply: unknown, done: (error?: Error) => void) => void;

/**
 * A hook that validates the request with zod and replaces `body`, `query`
 * and `params` with the parsed values (coerced numbers, defaults,
 * transforms); headers are validated but left as they are. Failures go to
 * the framework's error handler as a 422 `VALIDATION_FAILED`.
 *
 * @example
 * // Fastify
 * app.post('/notes', { preValidation: validate({ body: NoteInput }) }, handler);
 * // Express
 * app.post('/notes', validate({ body: NoteInput }), handler);
 */
export function validate(schemas: RequestSchemas): ValidationHook {
  if (typeof schemas !== 'object' || schemas === null) throw invalidOption('validate(schemas)', 'an object of zod schemas', schemas);
  for (const part of Object.keys(schemas)) {
    const schema = (schemas as Record<string, unknown>)[part];
    if (!(PARTS as readonly string[]).includes(part) || !(schema instanceof z.ZodType)) {
      throw invalidOption(`validate(schemas).${part}`, 'a zod schema for body, query, params or headers', schema);
    }
  }
  return function rampartValidate(request, _reply, done) {
    let values: Partial<Record<Part, unknown>>;
    try {
      values = validateRequest(schemas, request);
    } catch (error) {
      if (!(error instanceof z.core.$ZodAsyncError)) return done(error as Error);
      validateRequestAsync(schemas, request).then((parsed) => {
        assign(request, parsed);
        done();
      }, done);
      return;
    }
    assign(request, values);
    done();
  };
}

function assign(request: ValidatableRequest, values: Partial<Record<Part, unknown>>): void {
  for (const part of ['body', 'query', 'params'] as const) {
    if (!(part in values)) continue;
    // Express 5 defines `req.query` as a getter; an own property shadows it.
    Object.defineProperty(request, part, { value: values[part], writable: true, configurable: true, enumerable: true });
  }
}
