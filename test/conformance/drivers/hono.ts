import { Hono } from 'hono';
import type { RampartOptions } from 'rampart';
import { rampart } from 'rampart/fetch';
import { TEST_ROUTES } from './routes.js';
import { fetchHeaders, toTestResponse, type AdapterDriver, type TestApp } from './types.js';

/** A Hono app with Rampart's middleware, driven through `app.request()` as on @hono/node-server. */
export const honoDriver: AdapterDriver = {
  name: 'hono',
  onSocket: false,
  async create(options: RampartOptions): Promise<TestApp> {
    const guard = rampart(options);
    // Every handler below reads its body with readRequestBody, which runs the body stage.
    guard.rampart.csrf.enableBodyStage();
    const app = new Hono();
    app.use(guard.hono);
    app.onError(guard.honoOnError);
    app.notFound(guard.honoNotFound);
    for (const route of TEST_ROUTES) {
      app.on(route.method, route.path, async (c) => {
        // Rampart's body reading (limits, prototype keys, the CSRF form field) in place of c.req.json().
        const body = await guard.body(c.req.raw);
        const result = await route.handle({
          body,
          reply: { header: (name, value) => c.header(name, value, { append: true }) },
          headers: Object.fromEntries(c.req.raw.headers),
          query: c.req.query(),
          params: c.req.param(),
          rampart: guard.rampart,
        });
        return typeof result === 'string' ? c.body(result) : c.json(result as object);
      });
    }
    const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    return {
      async request({ method = 'GET', url, headers = {}, body }) {
        const response = await app.request(url, { method, headers, ...(body === undefined ? {} : { body }) }, env);
        return toTestResponse(response.status, fetchHeaders(response.headers), await response.text());
      },
      close: () => guard.rampart.close(),
    };
  },
};
