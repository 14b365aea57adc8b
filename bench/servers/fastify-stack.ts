import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import pino from 'pino';
import { Histogram, Registry } from 'prom-client';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

// What a team assembles today: helmet, a rate limiter (limit high enough
// never to reject), Fastify's pino request logging to a file and a
// prom-client latency histogram.
const logger = pino(pino.destination({ dest: benchLogFile('fastify-stack'), sync: false, minLength: 4096 }));
const app = Fastify({ loggerInstance: logger });
await app.register(helmet);
await app.register(rateLimit, { max: 1_000_000_000, timeWindow: 60_000 });
const registry = new Registry();
const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'latency', labelNames: ['method', 'route', 'status'], registers: [registry] });
app.addHook('onRequest', async (request) => {
  (request as unknown as { startedAt: bigint }).startedAt = process.hrtime.bigint();
});
app.addHook('onResponse', async (request, reply) => {
  const seconds = Number(process.hrtime.bigint() - (request as unknown as { startedAt: bigint }).startedAt) / 1e9;
  duration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, seconds);
});
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
