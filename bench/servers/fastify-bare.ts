import Fastify from 'fastify';
import { PAYLOAD, announce } from './serve.js';

const app = Fastify();
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
