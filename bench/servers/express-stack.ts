import { createServer } from 'node:http';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { Histogram, Registry } from 'prom-client';
import { PAYLOAD, announce, benchLogFile } from './serve.js';

// What a team assembles today on Express: helmet, express-rate-limit (limit
// high enough never to reject), pino-http to a file, a prom-client latency
// histogram, cookie-parser and csrf-csrf.
const logger = pino(pino.destination({ dest: benchLogFile('express-stack'), sync: false, minLength: 4096 }));
const registry = new Registry();
const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'latency', labelNames: ['method', 'route', 'status'], registers: [registry] });
const { doubleCsrfProtection } = doubleCsrf({ getSecret: () => 'bench-secret-bench-secret-bench-secret', getSessionIdentifier: () => 'anonymous' });

const app = express();
app.use(helmet());
app.use(pinoHttp({ logger }));
app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-8', legacyHeaders: false }));
app.use((req, res, next) => {
  const end = duration.startTimer();
  res.once('finish', () => end({ method: req.method, route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(res.statusCode) }));
  next();
});
app.use(cookieParser());
app.use(doubleCsrfProtection);
app.get('/', (_req, res) => {
  res.json(PAYLOAD);
});
const server = createServer(app).listen(0, '127.0.0.1', () => announce(server));
