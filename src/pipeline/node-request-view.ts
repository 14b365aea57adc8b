import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestView } from './request-state.js';

/**
 * A `RequestView` over Node's `IncomingMessage`, shared by every adapter that
 * sits on `node:http` (Fastify, Express, a bare server). It reads the raw
 * request on demand and copies nothing.
 */
export class NodeRequestView implements RequestView {
  readonly #raw: IncomingMessage;
  // Read once: the pipeline asks for several headers, `headers` is a getter
  // on Node's prototype, and behind Express (which swaps every request's
  // prototype) each load from `req` misses V8's inline caches.
  readonly #headers: IncomingMessage['headers'];

  constructor(raw: IncomingMessage) {
    this.#raw = raw;
    this.#headers = raw.headers;
  }

  get method(): string {
    return this.#raw.method ?? 'GET';
  }

  get url(): string {
    return this.#raw.url ?? '/';
  }

  get remoteAddress(): string | undefined {
    return this.#raw.socket.remoteAddress;
  }

  get encrypted(): boolean {
    return (this.#raw.socket as Partial<TLSSocket>).encrypted === true;
  }

  header(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}
