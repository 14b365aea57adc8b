import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AbandonedRequests,
  CLIENT_CLOSED_REQUEST,
  NodeRequestView,
  NotFoundError,
  createRampart,
  runWithRequest,
  type Answer,
  type Rampart,
  type RampartOptions,
  type RequestState,
} from '../index.js';
import { HEADER_OPS, answerFrameworkError, fromFastifyError, serverOptionsOf } from './fastify-support.js';

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

function sendAnswer(reply: FastifyReply, answer: Answer): void {
  void reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** For an app with its own `frameworkErrors` that delegates to Rampart's; without one, the plugin installs it. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  answerFrameworkError(request.server.rampart, error, request, reply);
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
  // The client went away before the response was sent: 499, nginx's "client closed request".
  const abandoned = new AbandonedRequests((state) => core.finish(state, CLIENT_CLOSED_REQUEST));

  fastify.decorate('rampart', core);
  fastify.decorateRequest('rampart', null as unknown as RequestState);

  fastify.addHook('onRequest', function rampartOnRequest(request, reply, next) {
    const view = new NodeRequestView(request.raw);
    const state = core.begin(view);
    state.route = request.routeOptions.url;
    request.rampart = state;
    void reply.headers(core.presetHeaders(state)).header(core.requestIdHeader, state.requestId);
    abandoned.watch(request.raw, state);
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
