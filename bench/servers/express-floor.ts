import { createServer } from 'node:http';
import express from 'express';
import { SECURITY_HEADERS, accessLog, context, newRequest } from './floor.js';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

// The floor under "express + rampart": see floor.ts.
const log = accessLog(benchLogFile('express-floor'));
const HEADERS = new Map(Object.entries(SECURITY_HEADERS));
const app = express();
app.disable('x-powered-by');
app.use((req, res, next) => {
  const floor = newRequest();
  res.setHeaders(HEADERS).setHeader('x-request-id', floor.id);
  res.on('finish', () => log(floor, req.method, req.path, res.statusCode));
  context.run(floor, next);
});
app.get('/', (_req, res) => {
  res.json(PAYLOAD);
});
const server = createServer(app).listen(0, '127.0.0.1', () => announce(server));
