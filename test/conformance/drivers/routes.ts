import { ConflictError, ValidationError, currentRequest, log } from 'rampart';

/**
 * The behaviour every driver's app exposes, written once: each driver maps
 * these handlers onto its framework's routing. A handler returns the body
 * (an object is JSON) and may set headers through `reply`.
 */
export interface RouteReply {
  header(name: string, value: string): void;
}

export interface TestRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  handle(input: { body: unknown; reply: RouteReply }): unknown;
}

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
];
