import type { IncomingMessage, ServerResponse } from 'node:http';
import { currentRequest } from '../context/context.js';
import type { RequestState } from '../pipeline/request-state.js';
import type { RequestLimits } from './limits.js';

/** What the body readers need from the engine: the limits, and the body stage (CSRF form tokens). */
export interface BodyStage {
  readonly limits: RequestLimits;
  /** Runs the checks that need the parsed body; throws an `AppError` to reject. */
  checkBody(state: RequestState, body: unknown): void;
  readonly csrf: { enableBodyStage(): void };
}

type NodeRequest = IncomingMessage & { body?: unknown };

/**
 * Body parsing for `node:http` stacks (Express, Connect, a bare server):
 * JSON and urlencoded forms under Rampart's limits, then the body stage.
 * Replaces `express.json()` and `express.urlencoded()`; other media types
 * (multipart, or any you accept) are left unread for the route's own parser.
 *
 * Mount it app-wide, right after Rampart's middleware: form posts that carry
 * their CSRF token in the `_csrf` field are only admitted once it has run.
 *
 * @example
 * app.use(guard.middleware);
 * app.use(nodeBodyParser(guard.rampart));
 */
export function nodeBodyParser(core: BodyStage): (req: NodeRequest, res: ServerResponse, next: (error?: unknown) => void) => void {
  const limits = core.limits;
  core.csrf.enableBodyStage();
  return function rampartBodyParser(req, _res, next) {
    // Inside Rampart's middleware the request's state is the async context's; adapters also keep it on `req.rampart`.
    const state = currentRequest() ?? (req as { rampart?: RequestState }).rampart;
    if (state === undefined) return next();
    const contentType = req.headers['content-type'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    if (req.body !== undefined || !hasBody || limits.kindOf(contentType) === undefined) {
      return settle(core, state, req.body, next);
    }
    limits.read(req, contentType).then((body) => {
      req.body = body;
      settle(core, state, body, next);
    }, next);
  };
}

function settle(core: BodyStage, state: RequestState, body: unknown, next: (error?: unknown) => void): void {
  try {
    core.checkBody(state, body);
  } catch (error) {
    return next(error);
  }
  next();
}

/**
 * Reads a Web `Request`'s body under Rampart's limits and runs the body
 * stage: JSON and urlencoded forms are parsed, other accepted media types are
 * returned as text, a request without a body gives `undefined`. Call it in
 * place of `request.json()` / `request.formData()`, inside a handler Rampart
 * wraps (it finds the request's state through the async context). An app
 * whose handlers all read bodies this way calls
 * `rampart.csrf.enableBodyStage()` once, so forms may carry their CSRF token
 * in the `_csrf` field; until then such forms must send the header.
 *
 * @throws AppError 400, 413 or 415 as problem+json-ready errors, or `CSRF_REJECTED`.
 */
export async function readRequestBody(core: BodyStage, request: Request, state: RequestState | undefined = currentRequest()): Promise<unknown> {
  const contentType = request.headers.get('content-type');
  const stream = request.body as AsyncIterable<Uint8Array> | null;
  const body = stream === null ? undefined : await core.limits.read(stream, contentType);
  if (state !== undefined) core.checkBody(state, body);
  return body;
}
