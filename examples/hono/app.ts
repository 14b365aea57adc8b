import { Hono } from 'hono';
import { NotFoundError, log } from 'rampart';
import { rampart } from 'rampart/fetch';

export const guard = rampart({ trustProxy: 1 });
export const app = new Hono();
app.use(guard.hono);
app.onError(guard.honoOnError);
app.notFound(guard.honoNotFound);
app.get('/hello', (c) => {
  log().info('saying hello');
  return c.json({ hello: 'world' });
});
app.get('/missing', () => {
  throw new NotFoundError('Nothing here.');
});
