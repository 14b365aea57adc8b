import express from 'express';
import { NotFoundError, log } from 'rampart';
import { rampart } from 'rampart/express';

export const guard = rampart({ trustProxy: 1 });
export const app = express();
app.use(guard.middleware);
app.use(guard.body);
app.get('/hello', (_req, res) => {
  log().info('saying hello');
  res.json({ hello: 'world' });
});
app.get('/missing', () => {
  throw new NotFoundError('Nothing here.');
});
app.use(guard.notFound);
app.use(guard.errorHandler);
