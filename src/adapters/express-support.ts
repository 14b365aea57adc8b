import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import { AppError, PayloadTooLargeError, UnsupportedMediaTypeError, type HeaderOps } from '../index.js';

// The Express adapter's translations: its response headers, body-parser's
// errors, its route templates and its app function.

/** Rampart's header writes: Express's `Response` is a Node `ServerResponse`, so one set serves it and the bare responses the final handler answers. */
export const HEADER_OPS: HeaderOps<ServerResponse> = {
  get: (res, name) => res.getHeader(name),
  set: (res, name, value) => void res.setHeader(name, value),
  remove: (res, name) => res.removeHeader(name),
  append: (res, name, value) => void res.appendHeader(name, value),
};

export type ExpressApp = ((req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void) & { handle: unknown };

export function isExpressApp(listener: unknown): listener is ExpressApp {
  return typeof listener === 'function' && typeof (listener as { handle?: unknown }).handle === 'function';
}

/** body-parser's error types, mapped to the problem codes every adapter answers with. */
export function fromExpressError(error: unknown): unknown {
  switch ((error as { type?: unknown } | null)?.type) {
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON', { cause: error });
    case 'entity.too.large':
    case 'parameters.too.many':
      return new PayloadTooLargeError({ cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError({ cause: error });
    default:
      return error;
  }
}

/** The route template Express matched (mount path included), once a route has run. */
export function routeOf(req: Request): string | undefined {
  return req.route === undefined ? undefined : `${req.baseUrl}${String((req.route as { path: unknown }).path)}`;
}
