import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError, UnauthorizedError, type RequestState } from 'rampart';
import { z } from 'zod';
import type { Account } from '../auth/accounts.js';
import type { ApiRoutes } from '../http/api.js';
import { requireUser } from '../http/authenticate.js';
import { IdParams, IssuedToken, LoginBody, RegisterBody, TokenBody, User } from '../http/schemas.js';
import type { SessionCookie } from '../http/session.js';
import type { Services } from '../services.js';

const publicUser = (account: Account) => ({ id: account.id, email: account.email, role: account.role, createdAt: account.createdAt });

/**
 * Sign-in shared by the JSON API and the HTML form: the per-account
 * brute-force guard first (429 while blocked, the same answer whether or not
 * the account exists), then the password check, then the security log.
 */
export function signIn(app: FastifyInstance, services: Services) {
  const guard = app.rampart.rateLimit.bruteForceGuard();
  return async function verify(state: RequestState, email: string, password: string): Promise<Account> {
    await guard.check(state, email);
    try {
      const account = await services.accounts.authenticate(email, password);
      await guard.success(state, email);
      app.rampart.security.loginSucceeded({ userId: account.id, method: 'password' });
      return account;
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        await guard.failure(state, email);
        app.rampart.security.loginFailed({ account: email, reason: 'invalid-credentials' });
      }
      throw error;
    }
  };
}

/** Accounts, sessions and API tokens as JSON. */
export function authApi(app: FastifyInstance, api: ApiRoutes, services: Services, sessions: SessionCookie): void {
  const verify = signIn(app, services);
  const state = (request: FastifyRequest): RequestState => request.rampart;

  api.add(
    { method: 'POST', path: '/api/auth/register', summary: 'Create an account and sign in', tags: ['auth'], security: [], schemas: { body: RegisterBody }, responses: { '201': { description: 'Created', schema: User } } },
    async (_request, reply, { body }) => {
      const account = await services.accounts.register(body.email, body.password);
      await sessions.start(reply, account.id);
      return reply.code(201).send(publicUser(account));
    },
  );

  api.add(
    { method: 'POST', path: '/api/auth/login', summary: 'Sign in with email and password (sets the session cookie)', tags: ['auth'], security: [], schemas: { body: LoginBody }, responses: { '200': { description: 'Signed in', schema: User } } },
    async (request, reply, { body }) => {
      const account = await verify(state(request), body.email, body.password);
      await sessions.start(reply, account.id);
      return publicUser(account);
    },
  );

  api.add({ method: 'POST', path: '/api/auth/logout', summary: 'Sign out (revokes the session)', tags: ['auth'], responses: { '204': { description: 'Signed out' } } }, async (request, reply) => {
    const user = request.user;
    await sessions.end(request, reply);
    app.rampart.security.logout(user === undefined ? {} : { userId: user.id });
    return reply.code(204).send();
  });

  api.add(
    {
      method: 'GET',
      path: '/api/auth/csrf',
      summary: 'A CSRF token for scripts that call the API with the session cookie',
      description: 'Send it as X-CSRF-Token on POST, PATCH and DELETE. Bearer-token clients send no cookies and need none.',
      tags: ['auth'],
      security: [],
      responses: { '200': { description: 'The token', schema: z.object({ token: z.string() }) } },
    },
    async (request) => ({ token: app.rampart.csrf.token(request.headers.cookie) }),
  );

  api.add({ method: 'GET', path: '/api/auth/me', summary: 'The signed-in user', tags: ['auth'], responses: { '200': { description: 'The caller', schema: User } } }, async (request) =>
    publicUser(requireUser(request)),
  );

  api.add(
    {
      method: 'POST',
      path: '/api/auth/tokens',
      summary: 'Issue a bearer token for a programmatic client',
      description: 'Authenticates with email and password in the body (no cookie, so no CSRF token is needed); the token is shown once.',
      tags: ['auth'],
      security: [],
      schemas: { body: LoginBody.extend(TokenBody.shape) },
      responses: { '201': { description: 'Issued', schema: IssuedToken } },
    },
    async (request, reply, { body }) => {
      const account = await verify(state(request), body.email, body.password);
      const issued = await services.credentials.issueApiToken(account.id, body.name);
      app.rampart.security.adminAction('api_token.issue', { userId: account.id });
      return reply.code(201).send(issued);
    },
  );

  api.add(
    { method: 'DELETE', path: '/api/auth/tokens/:id', summary: 'Revoke one of your bearer tokens', tags: ['auth'], schemas: { params: IdParams }, responses: { '204': { description: 'Revoked' } } },
    async (request, reply, { params }) => {
      const user = requireUser(request);
      if (!(await services.credentials.revokeApiToken(user.id, params.id))) throw new NotFoundError('No token with this id.');
      app.rampart.security.sessionRevoked({ userId: user.id, reason: 'api-token-revoked' });
      return reply.code(204).send();
    },
  );
}

