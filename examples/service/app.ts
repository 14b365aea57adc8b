import Fastify, { type FastifyInstance } from 'fastify';
import type { RampartOptions } from 'rampart';
import { rampart } from 'rampart/fastify';

export interface ServiceOptions {
  rampart?: RampartOptions;
}

const ECHO_QUERY = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const;

/** The reference service: a Fastify app hardened by Rampart. */
export async function buildService(options: ServiceOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ bodyLimit: 1024 * 1024 });
  await app.register(rampart, options.rampart ?? {});

  app.get('/', async () => ({
    service: 'rampart-reference',
    profile: app.rampart.profile,
    links: { echo: '/api/echo?message=hello', liveness: '/health/live' },
  }));

  app.get<{ Querystring: { message: string } }>('/api/echo', { schema: { querystring: ECHO_QUERY } }, async (request) => ({
    message: request.query.message,
    requestId: request.rampart.requestId,
  }));

  app.get('/health/live', async () => ({ status: 'pass' }));
  return app;
}
