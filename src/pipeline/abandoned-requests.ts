import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestState } from './request-state.js';

/** The connection's current request and its state, for the connection's one 'close' listener. */
const CURRENT = Symbol('rampart.currentRequest');
const CURRENT_STATE = Symbol('rampart.currentState');
// Kept on the socket, not the request: a socket's shape settles after its first
// request, while a property added to each request is a new hidden class per
// request behind Express (which swaps the request's prototype).
type WatchedSocket<R> = Socket & { [CURRENT]?: R; [CURRENT_STATE]?: RequestState };
type OnAbandoned<R extends IncomingMessage> = (state: RequestState, raw: R) => void;

/**
 * Notices requests whose client went away before the response was sent, for
 * adapters on `node:http`. One 'close' listener per connection, not one per
 * request (what Fastify's onRequestAbort and a per-request 'close' listener
 * cost): a kept-alive connection carries many requests, and when it closes,
 * only its latest can be unanswered. HTTP/2 streams share a connection, and
 * a pipelined HTTP/1.1 request arrives before the previous one is answered,
 * so those are watched one by one.
 */
export class AbandonedRequests<R extends IncomingMessage = IncomingMessage> {
  readonly #onAbandoned: OnAbandoned<R>;
  readonly #onConnectionClose: (this: WatchedSocket<R>) => void;

  /** `onAbandoned` runs for every watched request whose connection closes; it must ignore one already answered. */
  constructor(onAbandoned: OnAbandoned<R>) {
    this.#onAbandoned = onAbandoned;
    this.#onConnectionClose = function onConnectionClose(this: WatchedSocket<R>): void {
      const raw = this[CURRENT];
      const state = this[CURRENT_STATE];
      if (raw !== undefined && state !== undefined) onAbandoned(state, raw);
    };
  }

  watch(raw: R, state: RequestState): void {
    const socket = raw.socket as WatchedSocket<R>;
    const previous = socket[CURRENT_STATE];
    if (raw.httpVersionMajor === 2 || (previous !== undefined && !previous.finished)) {
      raw.once('close', () => this.#onAbandoned(state, raw));
      return;
    }
    if (previous === undefined) socket.once('close', this.#onConnectionClose);
    socket[CURRENT] = raw;
    socket[CURRENT_STATE] = state;
  }
}
