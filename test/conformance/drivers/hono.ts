import { Hono } from 'hono';
import type { RampartOptions } from 'rampart';
import { rampart } from 'rampart/fetch';
import { TEST_ROUTES } from './routes.js';
import { toTestResponse, type AdapterDriver, type TestApp } from './types.js';

/** A Hono app with Rampart's middleware, driven through `app.request()` as on @hono/node-server. */
export const honoDriver: AdapterDriver = {
  name: 'hono',
  async create(options: RampartOptions): Promise<TestApp> {
    const guard = rampart(options);
    const app = new Hono();
    app.use(guard.hono);
    app.onError(guard.honoOnError);
    app.notFound(guard.honoNotFound);
    for (const route of TEST_ROUTES) {
      app.on(route.method, route.path, async (c) => {
        const body = route.method === 'POST' ? await c.req.json() : undefined;
        const result = await route.handle({ body, reply: { header: (name, value) => c.header(name, value) } });
        return typeof result === 'string' ? c.body(result) : c.json(result as object);
      });
    }
    const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    return {
      async request({ method = 'GET', url, headers = {}, body }) {
        const response = await app.request(url, { method, headers, ...(body === undefined ? {} : { body }) }, env);
        return toTestResponse(response.status, Object.fromEntries(response.headers), await response.text());
      },
      close: () => guard.rampart.close(),
    };
  },
};
