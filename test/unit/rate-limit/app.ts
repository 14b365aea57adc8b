import { after } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RampartOptions, RateLimitOptions } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../../support/capture-log.js';

export interface LimitedApp {
  app: FastifyInstance;
  logs: LogCapture;
  /** GET (or `method`) `url` from `ip`; returns status, headers and parsed body. */
  send(url: string, options?: { method?: 'GET' | 'POST' | 'HEAD'; ip?: string; headers?: Record<string, string> }): Promise<Sent>;
}

export interface Sent {
  status: number;
  headers: Record<string, string | undefined>;
  body: Record<string, unknown>;
}

/**
 * A Fastify app hardened with these rate-limit options (production profile,
 * environment ignored unless given), with a few routes, closed after the file.
 */
export async function limitedApp(rateLimit: RateLimitOptions, options: RampartOptions = {}): Promise<LimitedApp> {
  const logs = new LogCapture();
  const app = Fastify();
  await app.register(rampart, { profile: 'production', ...options, rateLimit: { env: false, ...rateLimit }, log: { level: 'info', destination: logs } });
  for (const url of ['/login', '/x', '/y', '/api/notes/:id', '/health', '/webhooks/stripe']) {
    app.get(url, async () => ({ ok: true }));
    app.post(url, async () => ({ ok: true }));
  }
  app.post('/reports', async (request) => {
    const user = request.headers['x-user'];
    if (typeof user === 'string') request.rampart.userId = user;
    const decisions = await app.rampart.rateLimit.consume(request.rampart, 'reports');
    return { decisions };
  });
  await app.ready();
  after(() => app.close());
  return {
    app,
    logs,
    async send(url, { method = 'GET', ip = '203.0.113.1', headers = {} } = {}) {
      const response = await app.inject({ method, url, remoteAddress: ip, headers });
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(response.body) as Record<string, unknown>;
      } catch {
        // HEAD and empty bodies
      }
      return { status: response.statusCode, headers: response.headers as Record<string, string | undefined>, body };
    },
  };
}
