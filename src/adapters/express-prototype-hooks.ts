import { IncomingMessage, ServerResponse } from 'node:http';
import type { Rampart, RequestState } from '../index.js';
import { HEADER_OPS } from './express-support.js';

// Express gives every request and response a new prototype
// (`Object.setPrototypeOf(req, app.request)`), and on Node 20 that leaves V8
// with no settled hidden class for them: every property added to `req` or
// `res` builds a new one, and loads from them miss their caches
// (`npm run bench:profile -- node-prototype-swap --against node-bare`).
// So Rampart adds nothing to them per request: a request's state lives in a
// WeakMap, and `req.rampart` and the writeHead hook are installed once, on
// the request and response prototypes every Express app shares (Express 4
// and 5 both build `app.request` and `app.response` on one module-level
// object each).

/** A tracked request's state, and the engine that adds its response's headers at writeHead (when the content type is final). */
interface Tracked {
  readonly state: RequestState;
  readonly engine: Rampart | undefined; // undefined only for a state the app assigned to `req.rampart` itself
}
// State and engine in one record: one WeakMap insertion per request, not two.
const TRACKED = new WeakMap<IncomingMessage, Tracked>();
/** Marks Express's shared response prototype as hooked (once per process, whatever the number of engines). */
const WRITE_HEAD_HOOK = Symbol('rampart.writeHeadHook');
/** Per `app.response`: whether Express's shared prototypes are hooked. */
const HOOKED = new WeakMap<object, boolean>();

/** The state Rampart keeps for a request that went through its middleware. */
export function stateOf(req: IncomingMessage): RequestState | undefined {
  return TRACKED.get(req)?.state;
}

/**
 * Tracks a request: `req.rampart` returns its state, and `engine` adds its
 * headers when the response starts. A pair that is not Express's (a bare
 * `node:http` request) gets the same two hooks on the objects themselves.
 */
export function track(req: IncomingMessage, res: ServerResponse, state: RequestState, engine: Rampart): void {
  const appResponse = Object.getPrototypeOf(res) as object;
  let hooked = HOOKED.get(appResponse);
  if (hooked === undefined) {
    hooked = hookShared(req, res);
    HOOKED.set(appResponse, hooked);
    // Rampart removes X-Powered-By anyway; turned off at the source, Express stops setting it on every response.
    (appResponse as { app?: { disable?: (setting: string) => unknown } }).app?.disable?.('x-powered-by');
  }
  TRACKED.set(req, { state, engine });
  if (!hooked) {
    (req as { rampart?: RequestState }).rampart = state;
    res.writeHead = hookedWriteHead(res.writeHead);
  }
}

function hookShared(req: IncomingMessage, res: ServerResponse): boolean {
  const response = sharedBelow(res, ServerResponse.prototype);
  const request = sharedBelow(req, IncomingMessage.prototype);
  if (response === undefined || request === undefined) return false;
  if (!Object.hasOwn(request, 'rampart')) {
    Object.defineProperty(request, 'rampart', {
      configurable: true,
      get(this: IncomingMessage) {
        return TRACKED.get(this)?.state;
      },
      set(this: IncomingMessage, state: RequestState) {
        TRACKED.set(this, { state, engine: TRACKED.get(this)?.engine });
      },
    });
  }
  if (!Object.hasOwn(response, WRITE_HEAD_HOOK)) {
    const writeHead = (response as ServerResponse).writeHead;
    Object.defineProperty(response, 'writeHead', { configurable: true, writable: true, value: hookedWriteHead(writeHead) });
    Object.defineProperty(response, WRITE_HEAD_HOOK, { value: true });
  }
  return true;
}

function hookedWriteHead(writeHead: ServerResponse['writeHead']): ServerResponse['writeHead'] {
  return function rampartWriteHead(this: ServerResponse, ...args: unknown[]) {
    const tracked = TRACKED.get(this.req);
    if (tracked?.engine !== undefined) tracked.engine.applyHeaders<ServerResponse>(tracked.state, this, HEADER_OPS);
    return (writeHead as (...rest: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/** The object in `target`'s prototype chain just above `base`: Express's shared prototype, when `target` is Express's. */
function sharedBelow(target: object, base: object): object | undefined {
  let current = Object.getPrototypeOf(target) as object | null;
  if (current === base) return undefined; // not Express's: a bare node:http object
  while (current !== null) {
    const parent = Object.getPrototypeOf(current) as object | null;
    if (parent === base) return current;
    current = parent;
  }
  return undefined;
}
