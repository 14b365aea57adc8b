import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionCookie } from './session.js';
import { ForbiddenError, UnauthorizedError, setUser } from 'rampart';
import type { Account } from '../auth/accounts.js';
import type { Role } from '../db/schema.js';
import type { Services } from '../services.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when a session cookie or bearer token identified one. */
    user: Account | undefined;
    /** How the caller authenticated: cookies are ambient credentials, bearer tokens are not. */
    authMethod: 'session' | 'token' | undefined;
  }
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Resolves the caller from `Authorization: Bearer …` (programmatic clients)
 * or the session cookie (browsers), once per request, before the handler.
 */
export function authenticator(services: Services, sessions: SessionCookie) {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const bearer = BEARER.exec(request.headers.authorization ?? '')?.[1];
    let userId: string | undefined;
    if (bearer !== undefined) {
      userId = await services.credentials.apiTokenUser(bearer);
      if (userId === undefined) throw new UnauthorizedError({ detail: 'The bearer token is invalid or revoked.' });
      request.authMethod = 'token';
    } else {
      const session = sessions.read(request, reply);
      userId = session === undefined ? undefined : await services.credentials.sessionUser(session);
      if (userId !== undefined) request.authMethod = 'session';
    }
    if (userId === undefined) return;
    request.user = await services.accounts.byId(userId);
    if (request.user !== undefined) setUser(request.user.id);
  };
}

export function requireUser(request: FastifyRequest): Account {
  if (request.user === undefined) throw new UnauthorizedError();
  return request.user;
}

export function requireRole(request: FastifyRequest, role: Role): Account {
  const user = requireUser(request);
  if (user.role !== role) throw new ForbiddenError({ detail: `This action needs the ${role} role.` });
  return user;
}
