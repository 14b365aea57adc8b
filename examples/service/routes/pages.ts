import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, validateRequest } from 'rampart';
import { LoginBody, NoteBody, RegisterBody } from '../http/schemas.js';
import type { SessionCookie } from '../http/session.js';
import type { Services } from '../services.js';
import type { PageContext } from '../views/layout.js';
import { adminPage, loginPage, notesPage } from '../views/pages.js';
import { signIn } from './auth-api.js';

/**
 * The browser side: server-rendered pages with a nonce-based CSP, forms
 * carrying a CSRF token in `_csrf` (Rampart checks it before the handler),
 * sign-in that sets the session cookie and redirects (303, so a reload never
 * re-posts the password).
 */
export function pages(app: FastifyInstance, services: Services, sessions: SessionCookie): void {
  const verify = signIn(app, services);

  const context = (request: FastifyRequest): PageContext => ({
    nonce: request.rampart.cspNonce,
    csrfToken: app.rampart.csrf.enabled ? app.rampart.csrf.token(request.headers.cookie) : undefined,
    user: request.user,
  });
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  /** A form's own mistakes re-render the form with the message; anything else is a problem response. */
  const formError = (error: unknown): AppError | undefined =>
    error instanceof AppError && ['VALIDATION_FAILED', 'UNAUTHORIZED', 'CONFLICT'].includes(error.code) ? error : undefined;

  app.get('/login', async (request, reply) => (request.user === undefined ? html(reply, 200, loginPage(context(request))) : reply.redirect('/notes', 303)));

  app.post('/login', async (request, reply) => {
    try {
      const { body } = validateRequest({ body: LoginBody }, request);
      const account = await verify(request.rampart, body.email, body.password);
      await sessions.start(reply, account.id);
      return reply.redirect('/notes', 303);
    } catch (error) {
      const known = formError(error);
      if (known === undefined) throw error;
      return html(reply, known.status, loginPage(context(request), known.code === 'UNAUTHORIZED' ? known.message : 'Enter a valid email and password.'));
    }
  });

  app.post('/register', async (request, reply) => {
    try {
      const { body } = validateRequest({ body: RegisterBody }, request);
      const account = await services.accounts.register(body.email, body.password);
      await sessions.start(reply, account.id);
      return reply.redirect('/notes', 303);
    } catch (error) {
      const known = formError(error);
      if (known === undefined) throw error;
      const message = known.code === 'CONFLICT' ? known.message : `Check the form: ${known.errors?.map((field) => `${field.pointer.split('/').pop() ?? ''} ${field.detail}`).join('; ') ?? known.message}`;
      return html(reply, known.status, loginPage(context(request), message));
    }
  });

  app.post('/logout', async (request, reply) => {
    const user = request.user;
    await sessions.end(request, reply);
    if (user !== undefined) app.rampart.security.logout({ userId: user.id });
    return reply.redirect('/login', 303);
  });

  app.get('/notes', async (request, reply) => {
    if (request.user === undefined) return reply.redirect('/login', 303);
    const page = await services.notes.list(request.user.id, 50, undefined);
    return html(reply, 200, notesPage(context(request), page.items));
  });

  app.post('/notes', async (request, reply) => {
    if (request.user === undefined) return reply.redirect('/login', 303);
    const { body } = validateRequest({ body: NoteBody }, request);
    await services.notes.create(request.user.id, body.title, body.body);
    return reply.redirect('/notes', 303);
  });

  app.get('/admin', async (request, reply) => {
    if (request.user === undefined) return reply.redirect('/login', 303);
    if (request.user.role !== 'admin') throw new AppError('FORBIDDEN', { detail: 'This page needs the admin role.' });
    app.rampart.security.adminAction('admin.page.view', { userId: request.user.id });
    return html(reply, 200, adminPage(context(request), await services.accounts.list(100, 0)));
  });
}
