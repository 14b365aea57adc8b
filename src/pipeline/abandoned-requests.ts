import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestState } from './request-state.js';

/** The connection's current request, for its one 'close' listener, and that request's state. */
const CURRENT = Symbol('rampart.currentRequest');
const STATE = Symbol('rampart.state');
type WatchedRequest = IncomingMessage & { [STATE]: RequestState };
type WatchedSocket = Socket & { [CURRENT]?: WatchedRequest };
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
  readonly #onConnectionClose: (this: WatchedSocket) => void;

  /** `onAbandoned` runs for every watched request whose connection closes; it must ignore one already answered. */
  constructor(onAbandoned: OnAbandoned<R>) {
    this.#onAbandoned = onAbandoned;
    this.#onConnectionClose = function onConnectionClose(this: WatchedSocket): void {
      const raw = this[CURRENT];
      if (raw !== undefined) onAbandoned(raw[STATE], raw as unknown as R);
    };
  }

  watch(raw: R, state: RequestState): void {
    const socket = raw.socket as WatchedSocket;
    const previous = socket[CURRENT];
    if (raw.httpVersionMajor === 2 || (previous !== undefined && !previous[STATE].finished)) {
      raw.once('close', () => this.#onAbandoned(state, raw));
      return;
    }
    if (previous === undefined) socket.once('close', this.#onConnectionClose);
    (raw as unknown as WatchedRequest)[STATE] = state;
    socket[CURRENT] = raw as unknown as WatchedRequest;
  }
}
