import Fastify from 'fastify';
import { rampart } from 'rampart/fastify';
import { PAYLOAD, announce, benchLogFile } from './serve.js';
// Rampart on Fastify with parts switched off (OFF=log,metrics,overload,csrf,headers), to measure what each part costs.
const off = new Set((process.env['OFF'] ?? '').split(','));
const app = Fastify();
await app.register(rampart, {
  profile: 'production',
  log: { format: 'json', file: benchLogFile('variant'), ...(off.has('log') ? { level: 'silent' } : {}) },
  ...(off.has('metrics') ? { metrics: false } : {}),
  ...(off.has('overload') ? { overload: false } : {}),
  ...(off.has('csrf') ? { csrf: false } : {}),
  ...(off.has('headers') ? { headers: { extra: Object.fromEntries(['cross-origin-opener-policy','cross-origin-resource-policy','origin-agent-cluster','permissions-policy','referrer-policy','x-content-type-options','x-dns-prefetch-control','x-download-options','x-frame-options','x-permitted-cross-domain-policies','x-xss-protection'].map((h) => [h, false as const])), apiCsp: false as const } } : {}),
});
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
