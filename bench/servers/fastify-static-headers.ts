import Fastify from 'fastify';
import { SECURITY_HEADERS } from './floor.js';
import { PAYLOAD, announce } from './serve.js';

// Bare Fastify sending the same security headers as Rampart, set once per reply with no checks: the floor for any library that sends them.
const HEADERS = { ...SECURITY_HEADERS, 'x-request-id': '0b6f3c4e-1111-4222-8333-944444444444' };
const app = Fastify();
app.addHook('onRequest', (request, reply, next) => {
  reply.headers(HEADERS);
  next();
});
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
