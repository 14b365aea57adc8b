import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

interface SocketState {
  /** Requests on this socket whose response has not finished. */
  active: number;
  /** Responses finished on this socket. */
  served: number;
  acceptedAt: number;
}

/**
 * A connection that has not sent its first request yet gets this long after
 * the listener closes. The client has usually written the request already
 * and it is in flight; closing the socket now would reset a request it
 * believes was accepted. After this it is a slow or idle client.
 */
const FRESH_CONNECTION_GRACE_MS = 2000;
const SWEEP_INTERVAL_MS = 50;

/**
 * Tracks a server's sockets and the requests on them, to close a server the
 * way graceful shutdown needs: stop accepting, let each in-flight request
 * finish, close keep-alive connections when they fall idle, and never cut a
 * connection in the middle of a request.
 *
 * Node's own `server.close()` calls `closeIdleConnections()`, which also
 * closes connections accepted a moment ago whose first request is still in
 * the socket buffer; under load that resets requests. So this closes the
 * listener alone (`net.Server#close`) and sweeps idle sockets itself.
 */
export class ConnectionDrain {
  readonly #server: Server;
  readonly #sockets = new Map<Socket, SocketState>();
  #draining = false;

  constructor(server: Server) {
    this.#server = server;
    const sockets = this.#sockets;
    server.on('connection', function trackConnection(socket: Socket) {
      sockets.set(socket, { active: 0, served: 0, acceptedAt: performance.now() });
      socket.once('close', () => sockets.delete(socket));
    });
    // TLS servers emit 'secureConnection' for the decrypted socket the requests run on.
    server.on('secureConnection', function trackSecureConnection(socket: Socket) {
      sockets.set(socket, { active: 0, served: 0, acceptedAt: performance.now() });
      socket.once('close', () => sockets.delete(socket));
    });
    // Prepended, so it runs before the framework's own listener can answer.
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      const state = sockets.get(request.socket);
      if (this.#draining && !response.headersSent) response.setHeader('connection', 'close');
      if (state === undefined) return;
      state.active++;
      response.once('close', () => {
        state.active--;
        state.served++;
      });
    });
  }

  /** Requests in flight on this server. */
  get inFlight(): number {
    let count = 0;
    for (const state of this.#sockets.values()) count += state.active;
    return count;
  }

  /** Open connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  /**
   * Stops accepting and resolves true once every connection has closed, or
   * false at the deadline, after destroying what is left.
   */
  drain(deadlineMs: number): Promise<boolean> {
    this.#draining = true;
    const server = this.#server;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (drained: boolean): void => {
        if (settled) return;
        settled = true;
        clearInterval(sweeper);
        clearTimeout(deadline);
        if (!drained) for (const socket of this.#sockets.keys()) socket.destroy();
        resolve(drained);
      };
      const sweep = (): void => {
        const now = performance.now();
        for (const [socket, state] of this.#sockets) {
          if (state.active > 0) continue;
          if (state.served > 0 || now - state.acceptedAt > FRESH_CONNECTION_GRACE_MS) socket.destroy();
        }
        if (this.#sockets.size === 0 && !server.listening) finish(true);
      };
      const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
      const deadline = setTimeout(() => finish(false), deadlineMs);
      if (server.listening) NetServer.prototype.close.call(server, () => sweep());
      sweep();
    });
  }
}
