import { createServer } from 'node:http';
import express from 'express';
import { rampart } from 'rampart/express';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

const guard = rampart({ profile: 'production', log: { format: 'json', file: benchLogFile('express-rampart') } });
const app = express();
app.use(guard.middleware);
app.get('/', (_req, res) => {
  res.json(PAYLOAD);
});
app.use(guard.notFound);
app.use(guard.errorHandler);
const server = createServer(app).listen(0, '127.0.0.1', () => announce(server));
