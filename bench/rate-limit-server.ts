// Fastify + Rampart with one memory-store rate-limit rule, for the HTTP
// part of `npm run bench:ratelimit`. The limit is high enough never to
// reject: the benchmark measures the cost of deciding, not of rejecting.
import Fastify from 'fastify';
import { rampart } from 'rampart/fastify';
import { PAYLOAD, announce, benchLogFile } from './servers/serve.js';

const app = Fastify();
await app.register(rampart, {
  profile: 'production',
  log: { format: 'json', file: benchLogFile('fastify-rampart-rate-limit') },
  rateLimit: { env: false, rules: [{ name: 'api', limit: 1_000_000_000, window: '1m' }] },
});
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
