import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AppError,
  CLIENT_CLOSED_REQUEST,
  NodeRequestView,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  createRampart,
  runWithRequest,
  type Answer,
  type FieldError,
  type HeaderOps,
  type Rampart,
  type RampartOptions,
  type RequestState,
} from '../index.js';

export interface RampartFastifyOptions extends RampartOptions {
  /** Use an engine made elsewhere (shared with other apps or adapters); the other options are then ignored. */
  rampart?: Rampart;
}

declare module 'fastify' {
  interface FastifyInstance {
    rampart: Rampart;
  }
  interface FastifyRequest {
    /** Rampart's state for this request: id, client IP, nonce, logger. */
    rampart: RequestState;
  }
}

const HEADER_OPS: HeaderOps<FastifyReply> = {
  get: (reply, name) => reply.getHeader(name),
  set: (reply, name, value) => void reply.header(name, value),
  remove: (reply, name) => void reply.removeHeader(name),
  // Fastify appends a repeated Set-Cookie rather than replacing it.
  append: (reply, name, value) => void reply.header(name, value),
};

/** Fastify's own errors, mapped to the problem codes every adapter answers with. */
function fromFastifyError(error: FastifyError): unknown {
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

function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  return (error.validation ?? []).map((issue) => {
    const missing = (issue.params as { missingProperty?: unknown }).missingProperty;
    const path = typeof missing === 'string' ? `${issue.instancePath}/${missing}` : issue.instancePath;
    return { pointer: `#/${part}${path}`, detail: issue.message ?? 'is invalid' };
  });
}

function sendAnswer(reply: FastifyReply, answer: Answer): void {
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * Fastify answers a URL its router cannot decode (`/%zz`) and a path
 * parameter over `maxParamLength` before any hook runs, with JSON naming the
 * framework. This answers them like every other rejection: problem+json,
 * request id, security headers, one access-log line.
 */
function answerFrameworkError(core: Rampart, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const state = core.begin(new NodeRequestView(request.raw));
  const problem = core.problem(error, state);
  core.applyHeaders(state, reply.headers(core.presetHeaders(state)), HEADER_OPS);
  void reply.code(problem.status).headers(problem.headers).send(problem.body);
  core.finish(state, problem.status);
}

/** For an app with its own `frameworkErrors` that delegates to Rampart's; without one, the plugin installs it. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  answerFrameworkError(request.server.rampart, error, request, reply);
}

/** Fastify's server options, which `frameworkErrors` is read from on each error; undefined if their shape changed. */
function serverOptionsOf(fastify: FastifyInstance): { frameworkErrors?: unknown } | undefined {
  for (let object: object | null = fastify; object !== null; object = Object.getPrototypeOf(object) as object | null) {
    const symbol = Object.getOwnPropertySymbols(object).find((candidate) => candidate.description === 'fastify.options');
    if (symbol !== undefined) return (object as Record<symbol, { frameworkErrors?: unknown } | undefined>)[symbol];
  }
  return undefined;
}

/**
 * Hardens a Fastify app: request id, context, client IP, security headers,
 * the pipeline's gates, problem+json for every error and 404, one log line
 * per request.
 *
 * @example
 * const app = Fastify();
 * await app.register(rampart, { trustProxy: 1 });
 */
export function rampart(fastify: FastifyInstance, options: RampartFastifyOptions, done: (error?: Error) => void): void {
  const core = options.rampart ?? createRampart(options);
  const stateOf = (request: FastifyRequest): RequestState => (request.rampart ??= core.begin(new NodeRequestView(request.raw)));

  fastify.decorate('rampart', core);
  fastify.decorateRequest('rampart', null as unknown as RequestState);

  fastify.addHook('onRequest', function rampartOnRequest(request, reply, next) {
    const view = new NodeRequestView(request.raw);
    const state = core.begin(view);
    state.route = request.routeOptions.url;
    request.rampart = state;
    void reply.headers(core.presetHeaders(state));
    runWithRequest(state, () => {
      const verdict = core.admit(state, view);
      if (verdict === undefined) return next();
      if (!(verdict instanceof Promise)) return sendAnswer(reply, verdict);
      verdict.then((answer) => (answer === undefined ? next() : sendAnswer(reply, answer)), next);
    });
  });

  // The core's body parsers (strict UTF-8, size, JSON depth and keys, no prototype keys), then the body stage (a form's `_csrf`).
  // Bytes, not Fastify's string: its decoding turns invalid UTF-8 into U+FFFD where the other adapters refuse it.
  const parsing = { parseAs: 'buffer' as const, bodyLimit: core.limits.bodyBytes };
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', parsing, (_request, body: Buffer, parsed) => parsed(null, core.limits.parseJson(core.limits.decodeText(body))));
  if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) {
    fastify.addContentTypeParser('application/x-www-form-urlencoded', parsing, (_request, body: Buffer, parsed) => parsed(null, core.limits.parseForm(core.limits.decodeText(body))));
  }
  const serverOptions = serverOptionsOf(fastify);
  if (serverOptions !== undefined && serverOptions.frameworkErrors == null) {
    serverOptions.frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => answerFrameworkError(core, error, request, reply);
  }
  if (core.csrf.enabled && core.csrf.tokensEnabled) {
    core.csrf.enableBodyStage();
    fastify.addHook('preValidation', function rampartBodyStage(request, _reply, next) {
      core.checkBody(stateOf(request), request.body); // a throw reaches the error handler (Fastify's hook runner catches it)
      next();
    });
  }

  // Node refuses oversized headers (431) before Fastify runs: answer as problem+json, unless the app set a clientErrorHandler.
  for (const listener of fastify.server.listeners('clientError')) {
    if (listener.name === 'bound defaultClientErrorHandler') fastify.server.off('clientError', listener as (...args: unknown[]) => void).on('clientError', core.handleClientError);
  }

  fastify.addHook('onSend', function rampartOnSend(request, reply, payload, next) {
    core.applyHeaders(stateOf(request), reply, HEADER_OPS);
    next(null, payload);
  });

  fastify.addHook('onResponse', function rampartOnResponse(request, reply, next) {
    core.finish(stateOf(request), reply.statusCode);
    next();
  });

  // The client went away before the response was sent: 499, nginx's "client closed request".
  fastify.addHook('onRequestAbort', function rampartOnRequestAbort(request, next) {
    core.finish(stateOf(request), CLIENT_CLOSED_REQUEST);
    next();
  });

  fastify.setErrorHandler(function rampartErrorHandler(error: FastifyError, request, reply) {
    const problem = core.problem(fromFastifyError(error), stateOf(request));
    void reply.code(problem.status).headers(problem.headers).send(problem.body);
  });

  fastify.setNotFoundHandler(function rampartNotFound(request, reply) {
    const problem = core.problem(new NotFoundError(), stateOf(request));
    void reply.code(problem.status).headers(problem.headers).send(problem.body);
  });

  // Graceful shutdown (signals, draining, server timeouts) once the app really listens; inject() never does.
  fastify.addHook('onListen', function rampartOnListen(next) {
    core.lifecycle.attach(fastify.server).onClose(() => fastify.close(), 'fastify');
    next();
  });

  // During a graceful shutdown the lifecycle closes the engine last, after every close hook.
  if (options.rampart === undefined) fastify.addHook('onClose', () => (core.lifecycle.draining ? undefined : core.close()));
  done();
}

// Not encapsulated: the hooks must cover every route of the app, as
// fastify-plugin's `skip-override` does.
Object.assign(rampart, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'rampart' });
