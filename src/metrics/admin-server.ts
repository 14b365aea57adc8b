import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Answer } from '../pipeline/answer.js';
import { NodeRequestView } from '../pipeline/node-request-view.js';

const NOT_FOUND: Answer = Object.freeze({ status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found\n' });

/**
 * A second, minimal HTTP server for `/metrics` (and the health endpoints),
 * on a port the internet never reaches — the arrangement Prometheus
 * exporters use. It starts listening when Rampart is created and closes with
 * it; `address` resolves once it listens (use port 0 in tests).
 */
export class AdminServer {
  readonly server: Server;
  /** The bound address; rejects if the port cannot be bound. */
  readonly address: Promise<AddressInfo>;

  constructor(port: number, host: string, answer: (view: NodeRequestView) => Answer | Promise<Answer> | undefined, logger: Logger) {
    this.server = createServer(function adminRequest(request, response) {
      const send = (result: Answer | undefined): void => {
        const { status, headers, body } = result ?? NOT_FOUND;
        response.writeHead(status, { ...headers, 'x-content-type-options': 'nosniff' }).end(body);
      };
      let result: Answer | Promise<Answer> | undefined;
      try {
        result = answer(new NodeRequestView(request));
      } catch (error) {
        logger.error({ err: error }, 'admin endpoint failed');
        result = { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error\n' };
      }
      if (result instanceof Promise) {
        result.then(send, (error: unknown) => {
          logger.error({ err: error }, 'admin endpoint failed');
          send({ status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Internal Server Error\n' });
        });
      } else send(result);
    });
    // The admin port never serves browsers or slow clients; keep its sockets short-lived.
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 15_000;
    this.address = new Promise((resolve, reject) => {
      this.server.once('error', (error) => {
        logger.error({ err: error, port, host }, 'admin server could not listen');
        reject(error);
      });
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
    // Callers that never await the address must not crash on an unhandled rejection; the error is logged.
    this.address.catch(() => undefined);
    this.server.unref();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
