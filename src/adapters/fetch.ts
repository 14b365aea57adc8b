import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import {
  NotFoundError,
  UNMATCHED_ROUTE,
  createRampart,
  readRequestBody,
  runWithRequest,
  type Rampart,
  type RampartOptions,
  type RequestState,
} from '../index.js';
import { FetchRequestView, toResponse, withHeaders } from './fetch-web.js';

export interface RampartFetchOptions<Rest extends unknown[] = unknown[]> extends RampartOptions {
  /** Use an engine made elsewhere; the other options are then ignored. */
  rampart?: Rampart;
  /**
   * The peer's address. A Web `Request` does not carry one: pass Bun's
   * `server.requestIP(request)?.address` or Deno's `info.remoteAddr.hostname`.
   * Without it the peer is `unknown`, so only a hop-count `trustProxy` can
   * name the client (as on Next.js behind a platform proxy).
   */
  clientAddress?: (request: Request, ...rest: Rest) => string | undefined;
}

/** The engine and the two ways to put it in front of Web-standard handlers. */
export interface RampartFetch {
  readonly rampart: Rampart;
  /** Wraps a `(request) => Response` handler: Next.js route handlers, `Bun.serve`, `Deno.serve`. */
  wrap<Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Response | Promise<Response>): (request: Request, ...rest: Rest) => Promise<Response>;
  /** Hono: `app.use(guard.hono)`, `app.onError(guard.honoOnError)`, `app.notFound(guard.honoNotFound)`. */
  readonly hono: MiddlewareHandler;
  readonly honoOnError: ErrorHandler;
  readonly honoNotFound: NotFoundHandler;
  /**
   * Reads a request's body under Rampart's limits (JSON and forms parsed,
   * prototype keys refused), in place of `request.json()` / `formData()`.
   * Apps whose handlers all read bodies this way call
   * `rampart.csrf.enableBodyStage()` once, so forms may carry their CSRF
   * token in `_csrf`; until then forms must send the header.
   */
  body(request: Request): Promise<unknown>;
}

/**
 * Hardens Web-standard handlers with the same pipeline as every adapter.
 * The access line is written when the handler returns its `Response`, so
 * `durationMs` is time to response headers for streamed bodies.
 *
 * @example
 * const guard = rampart({ trustProxy: 1 });
 * export const GET = guard.wrap(async () => Response.json({ ok: true }));
 */
export function rampart(options: RampartFetchOptions = {}): RampartFetch {
  const core = options.rampart ?? createRampart(options);
  const clientAddress = options.clientAddress as ((request: Request, ...rest: unknown[]) => string | undefined) | undefined;
  const states = new WeakMap<Context, RequestState>();
  const problemResponse = (error: unknown, state: RequestState): Response => toResponse(core.problem(error, state));

  function wrap<Rest extends unknown[]>(handler: (request: Request, ...rest: Rest) => Response | Promise<Response>) {
    return async function rampartHandler(request: Request, ...rest: Rest): Promise<Response> {
      const view = new FetchRequestView(request, clientAddress?.(request, ...rest));
      const state = core.begin(view);
      let response: Response;
      try {
        const answer = await runWithRequest(state, () => core.admit(state, view));
        response = answer === undefined ? await runWithRequest(state, () => handler(request, ...rest)) : toResponse(answer);
      } catch (error) {
        response = problemResponse(error, state);
      }
      response = withHeaders(core, state, response);
      core.finish(state, response.status);
      return response;
    };
  }

  const hono: MiddlewareHandler = async function rampartHono(c, next) {
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    const view = new FetchRequestView(c.req.raw, clientAddress?.(c.req.raw, c) ?? incoming?.socket?.remoteAddress);
    const state = core.begin(view);
    states.set(c, state);
    const answer = await runWithRequest(state, () => core.admit(state, view));
    if (answer !== undefined) c.res = toResponse(answer);
    else await runWithRequest(state, next);
    state.route ??= c.req.routePath;
    // Reassign only a copy: setting `c.res` makes Hono rebuild the response
    // from its body stream, which costs @hono/node-server its fast path.
    const response = withHeaders(core, state, c.res);
    if (response !== c.res) c.res = response;
    core.finish(state, c.res.status);
  };

  const stateOf = (c: Context): RequestState => states.get(c) ?? core.begin(new FetchRequestView(c.req.raw, undefined));
  const honoOnError: ErrorHandler = (error, c) => problemResponse(error, stateOf(c));
  const honoNotFound: NotFoundHandler = (c) => {
    const state = stateOf(c);
    state.route = UNMATCHED_ROUTE;
    return problemResponse(new NotFoundError(), state);
  };

  const body = (request: Request): Promise<unknown> => readRequestBody(core, request);
  return Object.freeze({ rampart: core, wrap, hono, honoOnError, honoNotFound, body });
}
