import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { RampartOptions } from 'rampart';
import { rampart } from 'rampart/express';
import { TEST_ROUTES } from './routes.js';
import { fetchHeaders, toTestResponse, type AdapterDriver, type TestApp, type TestResponse } from './types.js';

async function viaNodeHttp(port: number, method: string, url: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<TestResponse> {
  const req = request({ host: '127.0.0.1', port, method, path: url, headers });
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return toTestResponse(res.statusCode ?? 0, res.headers, text);
}

/** Express over a real loopback server, driven with fetch. */
export const expressDriver: AdapterDriver = {
  name: 'express',
  onSocket: true,
  async create(options: RampartOptions): Promise<TestApp> {
    const guard = rampart(options);
    const app = express();
    app.use(guard.middleware);
    // Rampart's body parsing (limits, prototype keys, the CSRF form field) in place of express.json().
    app.use(guard.body);
    for (const route of TEST_ROUTES) {
      const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
      app[method](route.path, async (req, res) => {
        const result = await route.handle({
          body: req.body as unknown,
          reply: { header: (name, value) => void (name.toLowerCase() === 'set-cookie' ? res.append(name, value) : res.setHeader(name, value)) },
          headers: req.headers,
          query: req.query,
          params: req.params,
          rampart: guard.rampart,
        });
        if (typeof result === 'string') res.send(result);
        else res.json(result);
      });
    }
    app.use(guard.notFound);
    app.use(guard.errorHandler);
    // Rampart's final handler in place of Express's HTML one, as attach() sets it.
    const server = createServer((req, res) => app(req as never, res as never, guard.finalHandler(req, res)));
    // Node's own refusals (headers over maxHeaderSize → 431) as problem+json.
    // Only the clientError half of guard.attach(): the suite drives shutdowns itself and keeps querying the server.
    server.on('clientError', guard.rampart.handleClientError);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      async request({ method = 'GET', url, headers = {}, body }) {
        // fetch() always sends its own Host; a test that names one goes through node:http.
        if (Object.keys(headers).some((name) => name.toLowerCase() === 'host')) return viaNodeHttp(port, method, url, headers, body);
        const response = await fetch(`http://127.0.0.1:${port}${url}`, { method, headers, ...(body === undefined ? {} : { body }) });
        return toTestResponse(response.status, fetchHeaders(response.headers), await response.text());
      },
      listen: () => Promise.resolve(port),
      async close() {
        server.closeAllConnections();
        server.close();
        await guard.rampart.close();
      },
    };
  },
};
