import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { AppError } from '../errors/app-error.js';
import { renderProblem, type ProblemSettings } from '../errors/problem.js';
import { resolveRequestId } from '../request-id/request-id.js';

/** A `clientError` listener for a `node:http` server. */
export type ClientErrorListener = (error: Error & { code?: string }, socket: Duplex) => void;

/**
 * Node's HTTP parser refuses some requests before any framework sees them:
 * headers over `maxHeaderSize` (16 KiB by default, request line included),
 * malformed requests, a request that took longer than `requestTimeout`.
 * Node answers those with a bare status line and Fastify with its own JSON;
 * this listener answers with the same problem+json every other rejection
 * uses, with a fresh request id that is also logged.
 */
export function createClientErrorListener(settings: ProblemSettings, requestIdHeader: string, logger: Logger): ClientErrorListener {
  return function rampartClientError(error, socket) {
    // A reset connection has no one left to answer (Node's own handler skips it too).
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const problem = problemFor(error.code);
    const requestId = resolveRequestId(undefined);
    const response = renderProblem(problem, requestId, '', settings);
    logger.warn({ reqId: requestId, code: response.document.code, parserError: error.code }, 'request refused by the HTTP parser');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const body = Buffer.from(response.body);
    const head =
      `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n` +
      `content-type: ${response.headers['content-type']}\r\n` +
      `content-length: ${body.length}\r\n` +
      `${requestIdHeader}: ${requestId}\r\n` +
      'x-content-type-options: nosniff\r\n' +
      'cache-control: no-store\r\n' +
      'connection: close\r\n\r\n';
    // Flush the answer, then close: the rest of what the client sends is not read.
    socket.once('finish', () => socket.destroy());
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  };
}

function problemFor(code: string | undefined): AppError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('HEADERS_TOO_LARGE');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      // RFC 9110 §15.5.9: 408 tells the client it may retry on a new connection.
      return new AppError('REQUEST_TIMEOUT');
    default:
      return new AppError('BAD_REQUEST');
  }
}
