import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { PAYLOAD, announce } from './serve.js';

// node-bare plus what Express's app.handle does first to every request: swap
// the request's and response's prototypes for the app's. Profiled against
// node-bare, it shows what the swap alone costs (why the Express adapter adds
// no property to req or res).
const appRequest = Object.create(IncomingMessage.prototype) as object;
const appResponse = Object.create(ServerResponse.prototype) as object;
const body = JSON.stringify(PAYLOAD);
const server = createServer((req, res) => {
  Object.setPrototypeOf(req, appRequest);
  Object.setPrototypeOf(res, appResponse);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}).listen(0, '127.0.0.1', () => announce(server));
