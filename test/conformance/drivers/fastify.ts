import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { Rampart, RampartOptions } from 'rampart';
import { rampart } from 'rampart/fastify';
import { TEST_ROUTES } from './routes.js';
import { toTestResponse, type AdapterDriver, type TestApp } from './types.js';

export const fastifyDriver: AdapterDriver = {
  name: 'fastify',
  onSocket: true,
  async create(options: RampartOptions): Promise<TestApp> {
    const app = Fastify({ bodyLimit: 1024 * 1024 });
    await app.register(rampart, options);
    for (const route of TEST_ROUTES) {
      app.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) =>
          route.handle({
            body: request.body,
            reply: { header: (name, value) => void reply.header(name, value) },
            headers: request.headers,
            query: request.query,
            params: request.params,
            // The plugin's declaration merge names the source Rampart type, the test imports the built one.
            rampart: app.rampart as unknown as Rampart,
          }),
      });
    }
    await app.ready();
    return {
      async request({ method = 'GET', url, headers = {}, body }) {
        const response = await app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: body }), remoteAddress: '127.0.0.1' });
        return toTestResponse(response.statusCode, response.headers, response.body);
      },
      close: () => app.close(),
      async listen() {
        if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
        return (app.server.address() as AddressInfo).port;
      },
    };
  },
};
