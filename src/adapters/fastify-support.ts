import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  NodeRequestView,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldError,
  type HeaderOps,
  type Rampart,
} from '../index.js';

// The Fastify adapter's translations: its reply headers, its own errors and
// the errors its router raises before any hook runs.

export const HEADER_OPS: HeaderOps<FastifyReply> = {
  get: (reply, name) => reply.getHeader(name),
  set: (reply, name, value) => void reply.header(name, value),
  remove: (reply, name) => void reply.removeHeader(name),
  // Fastify appends a repeated Set-Cookie rather than replacing it.
  append: (reply, name, value) => void reply.header(name, value),
};

/** Fastify's own errors, mapped to the problem codes every adapter answers with. */
export function fromFastifyError(error: FastifyError): unknown {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError({ cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new UnsupportedMediaTypeError({ cause: error });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', { cause: error });
    case 'FST_ERR_VALIDATION':
      return new ValidationError(fieldErrors(error), undefined);
    default:
      // secure-json-parse rejects `__proto__` keys with a bare SyntaxError.
      return error instanceof SyntaxError && error.statusCode === 400 ? new AppError('MALFORMED_JSON', { cause: error }) : error;
  }
}

export function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  return (error.validation ?? []).map((issue) => {
    const missing = (issue.params as { missingProperty?: unknown }).missingProperty;
    const path = typeof missing === 'string' ? `${issue.instancePath}/${missing}` : issue.instancePath;
    return { pointer: `#/${part}${path}`, detail: issue.message ?? 'is invalid' };
  });
}

/**
 * Fastify answers a URL its router cannot decode (`/%zz`) and a path
 * parameter over `maxParamLength` before any hook runs, with JSON naming the
 * framework. This answers them like every other rejection: problem+json,
 * request id, security headers, one access-log line.
 */
export function answerFrameworkError(core: Rampart, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const state = core.begin(new NodeRequestView(request.raw));
  const problem = core.problem(error, state);
  core.applyHeaders(state, reply.headers(core.presetHeaders(state)).header(core.requestIdHeader, state.requestId), HEADER_OPS);
  void reply.code(problem.status).headers(problem.headers).send(problem.body);
  core.finish(state, problem.status);
}

/** Fastify's server options, which `frameworkErrors` is read from on each error; undefined if their shape changed. */
export function serverOptionsOf(fastify: FastifyInstance): { frameworkErrors?: unknown } | undefined {
  for (let object: object | null = fastify; object !== null; object = Object.getPrototypeOf(object) as object | null) {
    const symbol = Object.getOwnPropertySymbols(object).find((candidate) => candidate.description === 'fastify.options');
    if (symbol !== undefined) return (object as Record<symbol, { frameworkErrors?: unknown } | undefined>)[symbol];
  }
  return undefined;
}
