import Fastify from 'fastify';
import { SECURITY_HEADERS, accessLog, context, newRequest, type FloorRequest } from './floor.js';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

// The floor under "fastify + rampart": see floor.ts.
const log = accessLog(benchLogFile('fastify-floor'));
const app = Fastify();
app.decorateRequest('floor', null);
app.addHook('onRequest', (request, reply, next) => {
  const floor = newRequest();
  (request as unknown as { floor: FloorRequest }).floor = floor;
  void reply.headers(SECURITY_HEADERS).header('x-request-id', floor.id);
  context.run(floor, next);
});
app.addHook('onResponse', (request, reply, next) => {
  log((request as unknown as { floor: FloorRequest }).floor, request.method, request.url, reply.statusCode);
  next();
});
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
