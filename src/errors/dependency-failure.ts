/**
 * Whether a thrown value means "a dependency could not be reached right
 * now" — the database is restarting, a connection was cut, a pool could not
 * connect in time — rather than a bug. Such a request is answered 503 with
 * `Retry-After` (RFC 9110 §15.6.4: the server is temporarily unable to handle
 * it), not 500, so clients and proxies retry instead of reporting a failure.
 *
 * Only the error's code, SQLSTATE or a driver's fixed message is read, along
 * the `cause` chain and an AggregateError's `errors` (Node's happy-eyeballs
 * connect): never anything the client sent.
 */

/** Node system error codes of a connection that failed or was cut. ENOTFOUND is left out: a name that does not resolve is a configuration mistake, not an outage. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs (manual, Appendix A): class 08 connection exceptions;
 * 57P01–57P03 server shutting down, crashed, or not accepting connections yet;
 * 53300 too many connections.
 */
const POSTGRES_STATES = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;

/**
 * node-postgres and pg-pool signal a lost or impossible connection with
 * messages and no code; these are their fixed texts.
 */
const DRIVER_MESSAGES = /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Connection is closed\.)$/;

const MAX_DEPTH = 6;

export function isDependencyFailure(thrown: unknown, depth = 0): boolean {
  if (typeof thrown !== 'object' || thrown === null || depth > MAX_DEPTH) return false;
  const { code, message, cause, errors } = thrown as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || POSTGRES_STATES.test(code))) return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  if (Array.isArray(errors) && errors.some((inner) => isDependencyFailure(inner, depth + 1))) return true;
  return cause !== undefined && isDependencyFailure(cause, depth + 1);
}
