import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.js';

/**
 * The session cookie: Rampart's signed cookie (`__Host-` prefixed, Secure,
 * HttpOnly, SameSite=Lax in production) carrying the random session token;
 * the database keeps only the token's keyed hash.
 */
export class SessionCookie {
  constructor(
    private readonly app: FastifyInstance,
    private readonly services: Services,
  ) {}

  /** The token from a validly signed cookie; a cookie signed with a previous key is re-signed on this response. */
  read(request: FastifyRequest, reply: FastifyReply): string | undefined {
    const cookie = this.app.rampart.cookies.readSession(request.headers.cookie ?? '');
    if (cookie?.rotated === true) void reply.header('set-cookie', this.app.rampart.cookies.session(cookie.value));
    return cookie?.value;
  }

  async start(reply: FastifyReply, userId: string): Promise<void> {
    const { token } = await this.services.credentials.openSession(userId);
    void reply.header('set-cookie', this.app.rampart.cookies.session(token));
  }

  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const token = this.app.rampart.cookies.readSession(request.headers.cookie ?? '')?.value;
    if (token !== undefined) await this.services.credentials.revokeSession(token);
    void reply.header('set-cookie', this.app.rampart.cookies.clearSession());
  }
}
