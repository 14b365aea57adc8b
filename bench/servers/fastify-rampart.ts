import Fastify from 'fastify';
import { rampart } from 'rampart/fastify';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

// Headers, request id, context, client IP, error handling and one JSON
// access line per request written to a file.
const app = Fastify();
await app.register(rampart, { profile: 'production', log: { format: 'json', file: benchLogFile('fastify-rampart') } });
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
