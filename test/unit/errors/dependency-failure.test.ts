import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDependencyFailure } from '../../../src/errors/dependency-failure.js';
import { renderProblem } from '../../../src/errors/problem.js';

const settings = { typeBase: 'urn:rampart:problem:', exposeInternals: false };
const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });

// A handler whose database was down answered 500 INTERNAL_ERROR ("an
// unexpected error occurred"): clients and proxies treated an outage of a
// few seconds as a bug instead of retrying.
describe('a database that is down is answered 503 with Retry-After, not 500', () => {
  it('renders connection failures as SERVICE_UNAVAILABLE without naming the dependency', () => {
    const refused = coded('connect ECONNREFUSED 10.0.3.7:5432', 'ECONNREFUSED');
    const response = renderProblem(refused, 'req-1', '/api/notes', settings);
    assert.equal(response.status, 503);
    assert.equal(response.headers['retry-after'], '5');
    assert.equal(response.document.code, 'SERVICE_UNAVAILABLE');
    assert.equal(response.document.detail, 'A service this request depends on is temporarily unavailable. Try again shortly.');
    assert.ok(!response.body.includes('10.0.3.7') && !response.body.includes('ECONNREFUSED'), response.body);
    assert.equal(response.error.cause, refused, 'the driver error stays on the server side, for the log');
  });

  it('recognizes refused, cut and timed-out connections, PostgreSQL shutdown states and driver messages, along causes', () => {
    const failures: unknown[] = [
      coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      coded('read ECONNRESET', 'ECONNRESET'),
      coded('connect ETIMEDOUT', 'ETIMEDOUT'),
      coded('getaddrinfo EAI_AGAIN db', 'EAI_AGAIN'),
      Object.assign(new AggregateError([coded('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'), coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')]), {}),
      coded('terminating connection due to administrator command', '57P01'),
      coded('the database system is starting up', '57P03'),
      coded('the database system is shutting down', '57P03'),
      coded('sorry, too many clients already', '53300'),
      coded('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection is closed.'),
      new Error('query failed', { cause: coded('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED') }),
    ];
    for (const failure of failures) assert.equal(isDependencyFailure(failure), true, String(failure));
  });

  it('leaves bugs and other database errors as they are', () => {
    const others: unknown[] = [
      new Error('boom'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new Error('connect ECONNREFUSED 10.0.0.5:5432'), // a message alone, no code: it could be anything
      coded('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND'), // a configuration mistake
      coded('duplicate key value violates unique constraint', '23505'),
      coded('relation "notes" does not exist', '42P01'),
      coded('invalid argument', 'ERR_INVALID_ARG_TYPE'),
      'ECONNREFUSED',
      undefined,
      null,
    ];
    for (const other of others) assert.equal(isDependencyFailure(other), false, String(other));
    assert.equal(renderProblem(new Error('boom'), 'req-2', '/', settings).status, 500);
    const unique = renderProblem(coded('duplicate key', '23505'), 'req-3', '/', settings);
    assert.equal(unique.document.code, 'INTERNAL_ERROR');
  });

  it('stops on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    assert.equal(isDependencyFailure(a), false);
  });
});
