import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  AbandonedRequests,
  CLIENT_CLOSED_REQUEST,
  NodeRequestView,
  NotFoundError,
  createRampart,
  nodeBodyParser,
  runWithRequest,
  type Answer,
  type Rampart,
  type RampartOptions,
  type RequestState,
} from '../index.js';
import { stateOf as trackedState, track } from './express-prototype-hooks.js';
import { HEADER_OPS, fromExpressError, isExpressApp, routeOf } from './express-support.js';

export interface RampartExpressOptions extends RampartOptions {
  /** Use an engine made elsewhere; the other options are then ignored. */
  rampart?: Rampart;
}

/** The three pieces an Express app mounts: first, after the routes, and last. */
export interface RampartExpress {
  readonly rampart: Rampart;
  /** Mount before everything else: request id, context, client IP, gates, headers, access log. */
  readonly middleware: RequestHandler;
  /** Mount after the routes: answers unmatched requests with a 404 problem. */
  readonly notFound: RequestHandler;
  /** Mount last: every error, including body-parser's, as problem+json. */
  readonly errorHandler: ErrorRequestHandler;
  /**
   * Mount right after `middleware`, in place of `express.json()` and
   * `express.urlencoded()`: Rampart's limits, no prototype keys, and the CSRF
   * token of form posts checked before any route runs.
   */
  readonly body: RequestHandler;
  /**
   * Call with the server once it exists (Express has no listen hook): graceful
   * shutdown on SIGTERM, server timeouts, and Node's own 400/408/431 refusals
   * as problem+json.
   */
  attach(server: Server): void;
  /**
   * Express's last resort, for what reaches the end of its stack: answered as
   * a problem instead of Express's HTML page. It matters for request targets
   * Express's router cannot parse (`//#x`): those skip every middleware,
   * Rampart's and `notFound` included. `attach()` installs it for the
   * server's app; without `attach()`:
   * `createServer((req, res) => app(req, res, guard.finalHandler(req, res)))`.
   */
  finalHandler(req: IncomingMessage, res: ServerResponse): (error?: unknown) => void;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Rampart's state for this request: id, client IP, nonce, logger. */
    rampart: RequestState;
  }
}

function send(res: Response, answer: Answer): void {
  res.status(answer.status).set(answer.headers).send(answer.body);
}

/**
 * Hardens an Express 5 or 4 app with the same pipeline and contract as every
 * Rampart adapter. Client IPs follow Rampart's `trustProxy`, not Express's
 * `trust proxy` setting, so every adapter agrees on who the client is.
 *
 * @example
 * const guard = rampart({ trustProxy: 1 });
 * app.use(guard.middleware);
 * app.use(guard.body);
 * // …routes…
 * app.use(guard.notFound);
 * app.use(guard.errorHandler);
 * guard.attach(app.listen(3000));
 */
export function rampart(options: RampartExpressOptions = {}): RampartExpress {
  const core = options.rampart ?? createRampart(options);
  const stateOf = (req: Request): RequestState => trackedState(req) ?? begin(req, req.res as ServerResponse);
  // The client went away before the response was sent: 499, nginx's "client closed request".
  const abandoned = new AbandonedRequests<Request>((state, req) => {
    state.route ??= routeOf(req);
    core.finish(state, CLIENT_CLOSED_REQUEST);
  });
  // One listener function for every response (not a closure each): the response finds its request.
  const onFinish = function rampartFinish(this: ServerResponse): void {
    const req = this.req as Request;
    const state = trackedState(req);
    if (state === undefined) return;
    state.route ??= routeOf(req);
    core.finish(state, this.statusCode);
  };

  function begin(req: IncomingMessage, res: ServerResponse, view = new NodeRequestView(req)): RequestState {
    const state = core.begin(view);
    track(req, res, state, core);
    return state;
  }

  const middleware: RequestHandler = function rampartMiddleware(req, res, next) {
    const view = new NodeRequestView(req);
    const state = begin(req, res, view);
    // The fixed headers now, so whatever the handler sets or removes wins;
    // what depends on the content type is added when the response starts.
    const preset = core.presetHeaders(state);
    for (const name in preset) res.setHeader(name, preset[name] as string);
    res.setHeader(core.requestIdHeader, state.requestId);
    res.on('finish', onFinish);
    abandoned.watch(req, state);
    runWithRequest(state, () => {
      const verdict = core.admit(state, view);
      if (verdict === undefined) return next();
      if (!(verdict instanceof Promise)) return send(res, verdict);
      verdict.then((answer) => (answer === undefined ? next() : send(res, answer)), next);
    });
  };

  const notFound: RequestHandler = function rampartNotFound(req, res) {
    const problem = core.problem(new NotFoundError(), stateOf(req));
    res.status(problem.status).set(problem.headers).send(problem.body);
  };

  const errorHandler: ErrorRequestHandler = function rampartErrorHandler(error: unknown, req, res, next) {
    if (res.headersSent) return next(error);
    const problem = core.problem(fromExpressError(error), stateOf(req));
    res.status(problem.status).set(problem.headers).send(problem.body);
  };

  const finalHandler = (req: IncomingMessage, res: ServerResponse) =>
    function rampartFinalHandler(error?: unknown): void {
      if (res.headersSent) {
        req.socket.destroy(); // what Express's own final handler does: the response cannot be finished
        return;
      }
      const started = trackedState(req);
      const state = started ?? core.begin(new NodeRequestView(req));
      const problem = core.problem(error ?? new NotFoundError(), state);
      // Without Rampart's middleware (Express's router skipped it), its headers are added here.
      if (started === undefined) core.applyHeaders(state, res, HEADER_OPS);
      res.writeHead(problem.status, problem.headers).end(problem.body);
      core.finish(state, problem.status);
    };

  const attach = (server: Server): void => {
    server.on('clientError', core.handleClientError);
    for (const listener of server.listeners('request')) {
      if (!isExpressApp(listener)) continue;
      server.off('request', listener).on('request', (req: IncomingMessage, res: ServerResponse) => listener(req, res, finalHandler(req, res)));
    }
    core.lifecycle.attach(server);
  };

  // Made on first use: creating it declares that form bodies are checked, which must not happen unless it is mounted.
  let body: RequestHandler | undefined;
  return Object.freeze({
    rampart: core,
    middleware,
    notFound,
    errorHandler,
    get body(): RequestHandler {
      return (body ??= nodeBodyParser(core) as RequestHandler);
    },
    attach,
    finalHandler,
  });
}
