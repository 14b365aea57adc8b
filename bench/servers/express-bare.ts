import { createServer } from 'node:http';
import express from 'express';
import { PAYLOAD, announce } from './serve.js';

const app = express();
app.get('/', (_req, res) => {
  res.json(PAYLOAD);
});
const server = createServer(app).listen(0, '127.0.0.1', () => announce(server));
