import type { FastifyInstance } from 'fastify';
import { openApiDocument, type RouteDoc } from 'rampart';
import { html } from '../views/html.js';
import { layout } from '../views/layout.js';

/**
 * OpenAPI 3.1 generated from the same zod schemas the routes validate with,
 * at `/docs/openapi.json`, and a readable index at `/docs`. Registered only
 * when docs are enabled (by default outside production and staging).
 */
export function docs(app: FastifyInstance, routes: readonly RouteDoc[], sessionCookieName: string): void {
  const document = openApiDocument({ title: 'Rampart reference service', version: '1.0.0', description: 'Accounts, sessions and notes, hardened by Rampart.' }, routes, {
    securitySchemes: {
      session: { type: 'apiKey', in: 'cookie', name: sessionCookieName },
      bearer: { type: 'http', scheme: 'bearer' },
    },
  });
  const body = JSON.stringify(document);
  app.get('/docs/openapi.json', async (_request, reply) => reply.type('application/json').send(body));
  app.get('/docs', async (request, reply) => {
    const rows = routes.map((route) => html`<tr><td><code>${route.method}</code></td><td><code>${route.path}</code></td><td>${route.summary ?? ''}</td></tr>`);
    const page = layout('API documentation', { nonce: request.rampart.cspNonce, csrfToken: undefined, user: undefined }, html`
<p>The machine-readable description is at <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI 3.1). Errors are <code>application/problem+json</code>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>${rows}</tbody></table>`);
    return reply.type('text/html; charset=utf-8').send(page);
  });
}
