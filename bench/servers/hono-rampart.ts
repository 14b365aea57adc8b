import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { rampart } from 'rampart/fetch';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

const guard = rampart({ profile: 'production', log: { format: 'json', file: benchLogFile('hono-rampart') } });
const app = new Hono();
app.use(guard.hono);
app.onError(guard.honoOnError);
app.notFound(guard.honoNotFound);
app.get('/', (c) => c.json(PAYLOAD));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => announce(server as Server));
