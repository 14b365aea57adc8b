import { NotFoundError, currentRequest, type RampartOptions } from 'rampart';
import { rampart } from 'rampart/fetch';
import { TEST_ROUTES, matchPath } from './routes.js';
import { fetchHeaders, toTestResponse, type AdapterDriver, type TestApp } from './types.js';

/** A Web-standard handler (the shape of a Next.js route handler or Bun.serve) wrapped by Rampart, called directly. */
export const fetchDriver: AdapterDriver = {
  name: 'fetch',
  onSocket: false,
  async create(options: RampartOptions): Promise<TestApp> {
    const guard = rampart({ ...options, clientAddress: () => '127.0.0.1' });
    // Every handler below reads its body with readRequestBody, which runs the body stage.
    guard.rampart.csrf.enableBodyStage();
    const handler = guard.wrap(async (request: Request) => {
      const url = new URL(request.url);
      const route = TEST_ROUTES.find((candidate) => candidate.method === request.method && matchPath(candidate.path, url.pathname) !== undefined);
      // What a router in front of Web handlers does (Next.js picks the file;
      // Bun.serve code dispatches): name the route, or report none.
      if (route === undefined) throw new NotFoundError();
      const state = currentRequest();
      if (state !== undefined) state.route = route.path;
      const headers = new Headers();
      // Rampart's body reading (limits, prototype keys, the CSRF form field) in place of request.json().
      const body = await guard.body(request);
      const result = await route.handle({
        body,
        reply: { header: (name, value) => headers.append(name, value) },
        headers: Object.fromEntries(request.headers),
        query: Object.fromEntries(url.searchParams),
        params: matchPath(route.path, url.pathname),
        rampart: guard.rampart,
      });
      if (typeof result === 'string') return new Response(result, { headers });
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      return new Response(JSON.stringify(result), { headers });
    });
    return {
      async request({ method = 'GET', url, headers = {}, body }) {
        const response = await handler(new Request(`http://127.0.0.1${url}`, { method, headers, ...(body === undefined ? {} : { body }) }));
        return toTestResponse(response.status, fetchHeaders(response.headers), await response.text());
      },
      close: () => guard.rampart.close(),
    };
  },
};
