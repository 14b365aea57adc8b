import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateRequest, type RequestSchemas, type RouteDoc, type Validated } from 'rampart';

type Handler<S extends RequestSchemas> = (request: FastifyRequest, reply: FastifyReply, input: Validated<S>) => Promise<unknown>;

/**
 * Registers JSON API routes from one description: the zod schemas the
 * handler's input is validated with are the ones `/docs` publishes, so the
 * documentation cannot drift from what the API accepts.
 */
export class ApiRoutes {
  readonly docs: RouteDoc[] = [];

  constructor(private readonly app: FastifyInstance) {}

  add<const S extends RequestSchemas>(doc: RouteDoc & { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; schemas?: S }, handler: Handler<S>): void {
    this.docs.push(doc);
    const schemas = doc.schemas ?? ({} as S);
    this.app.route({
      method: doc.method,
      url: doc.path,
      handler: (request, reply) => handler(request, reply, validateRequest(schemas, request)),
    });
  }
}
