import { createServer } from 'node:http';
import { PAYLOAD, announce } from './serve.js';

// node:http alone, the baseline for node-prototype-swap.
const body = JSON.stringify(PAYLOAD);
const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}).listen(0, '127.0.0.1', () => announce(server));
