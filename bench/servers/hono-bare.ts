import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Server } from 'node:http';
import { PAYLOAD, announce } from './serve.js';

const app = new Hono();
app.get('/', (c) => c.json(PAYLOAD));
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => announce(server as Server));
