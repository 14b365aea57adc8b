import { z } from 'zod';
import { ConflictError, ValidationError, currentRequest, log, validateRequest, type Rampart } from 'rampart';

/**
 * The behaviour every driver's app exposes, written once: each driver maps
 * these handlers onto its framework's routing. A handler returns the body
 * (an object is JSON) and may set headers through `reply`.
 */
export interface RouteReply {
  header(name: string, value: string): void;
}

/** What a handler sees of the request, as its framework parsed it. Header names lower-case. */
export interface RouteInput {
  body: unknown;
  reply: RouteReply;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: unknown;
  params: unknown;
  /** The app's engine (for cookies and CSRF tokens). */
  rampart: Rampart;
}

export interface TestRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** May hold `:name` segments. */
  readonly path: string;
  handle(input: RouteInput): unknown;
}

/** `:name` segments of `template` matched against `path`, or undefined (for drivers without a router). */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    const segment = expected[i] as string;
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeSegment(actual[i] as string);
    else if (segment !== actual[i]) return undefined;
  }
  return params;
}

/** A percent-decoded path segment; a malformed escape (`%zz`) is kept as sent, as Hono's router does, rather than thrown. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The schemas of the validation route, shared with its tests. */
export const ITEM_SCHEMAS = {
  params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,36}$/) }),
  query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
  headers: z.object({ 'x-tenant': z.string().min(1) }),
  body: z.object({ name: z.string().min(1).max(80), email: z.email(), tags: z.array(z.string()).max(3).default([]) }).strict(),
};

export const INTERNAL_SECRET_MESSAGE = 'connect ECONNREFUSED db.internal:5432 (password=hunter2) at /srv/app/db.js';

export const TEST_ROUTES: readonly TestRoute[] = [
  { method: 'GET', path: '/json', handle: () => ({ ok: true }) },
  {
    method: 'GET',
    path: '/html',
    handle: ({ reply }) => {
      reply.header('content-type', 'text/html; charset=utf-8');
      return `<!doctype html><script nonce="${currentRequest()?.cspNonce ?? ''}">1</script>`;
    },
  },
  {
    method: 'GET',
    path: '/static.html',
    handle: ({ reply }) => {
      reply.header('content-type', 'text/html; charset=utf-8');
      return '<!doctype html><p>no scripts</p>';
    },
  },
  {
    method: 'GET',
    path: '/context',
    handle: () => {
      const state = currentRequest();
      return { requestId: state?.requestId, clientIp: state?.clientIp, traceId: state?.traceId, secure: state?.secure };
    },
  },
  {
    method: 'POST',
    path: '/echo',
    // Async on purpose: the context must survive body parsing and awaits.
    handle: async ({ body }) => {
      await new Promise((resolve) => setImmediate(resolve));
      return { body, requestId: currentRequest()?.requestId };
    },
  },
  {
    method: 'GET',
    path: '/boom',
    handle: () => {
      throw new Error(INTERNAL_SECRET_MESSAGE);
    },
  },
  {
    method: 'GET',
    path: '/conflict',
    handle: () => {
      throw new ConflictError('A note with this title already exists.');
    },
  },
  {
    method: 'GET',
    path: '/invalid',
    handle: () => {
      throw new ValidationError([{ pointer: '#/query/limit', detail: 'must be at most 100' }]);
    },
  },
  {
    method: 'GET',
    path: '/own-headers',
    handle: ({ reply }) => {
      reply.header('x-frame-options', 'SAMEORIGIN');
      reply.header('content-security-policy', "default-src 'self'");
      reply.header('x-powered-by', 'PHP/8.3');
      reply.header('server', 'Apache/2.4.1');
      return { ok: true };
    },
  },
  {
    method: 'GET',
    path: '/log',
    handle: () => {
      log().info({ password: 'hunter2', nested: { ApiKey: 'k-123', list: [{ Authorization: 'Bearer t0k3n' }] }, safe: 'visible' }, 'app line');
      return { ok: true };
    },
  },
  { method: 'GET', path: '/health', handle: () => ({ status: 'pass' }) },
  // Browser security (CSRF, cookies, validation): state-changing routes and the helpers a page uses.
  { method: 'GET', path: '/csrf/token', handle: ({ headers, rampart }) => ({ token: rampart.csrf.token(headers['cookie'] as string | undefined) }) },
  { method: 'POST', path: '/account/email', handle: ({ body }) => ({ changed: true, body }) },
  { method: 'PUT', path: '/account/email', handle: ({ body }) => ({ changed: true, body }) },
  { method: 'DELETE', path: '/account', handle: () => ({ deleted: true }) },
  { method: 'POST', path: '/webhooks/payments', handle: ({ body }) => ({ received: true, body }) },
  {
    method: 'GET',
    path: '/session/start',
    handle: ({ reply, rampart }) => {
      reply.header('set-cookie', rampart.cookies.session('session-id-1'));
      return { started: true };
    },
  },
  {
    method: 'GET',
    path: '/session/form',
    // A page that signs in and renders a form: its own cookie and Rampart's anchor cookie, both kept.
    handle: ({ reply, rampart, headers }) => {
      reply.header('set-cookie', rampart.cookies.session('session-id-1'));
      return { token: rampart.csrf.token(headers['cookie'] as string | undefined) };
    },
  },
  { method: 'GET', path: '/session/whoami', handle: ({ headers, rampart }) => ({ session: rampart.cookies.readSession(headers['cookie'] as string | undefined) ?? null }) },
  {
    method: 'POST',
    path: '/items/:id',
    handle: (input) => {
      const { params, query, headers, body } = validateRequest(ITEM_SCHEMAS, input);
      return { params, query, tenant: headers['x-tenant'], body };
    },
  },
];
