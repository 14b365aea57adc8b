import Fastify from 'fastify';
import { PAYLOAD, announce } from './serve.js';
// Bare Fastify sending the same security headers as Rampart, set once per reply with no checks: the floor for any library that sends them.
const HEADERS = {
  'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin', 'origin-agent-cluster': '?1',
  'permissions-policy': 'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()',
  'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-dns-prefetch-control': 'off', 'x-download-options': 'noopen', 'x-frame-options': 'DENY',
  'x-permitted-cross-domain-policies': 'none', 'x-xss-protection': '0', 'content-security-policy': "default-src 'none'; frame-ancestors 'none'; form-action 'none'", 'x-request-id': '0b6f3c4e-1111-4222-8333-944444444444',
};
const app = Fastify();
app.addHook('onRequest', (request, reply, next) => { reply.headers(HEADERS); next(); });
app.get('/', async () => PAYLOAD);
await app.listen({ host: '127.0.0.1', port: 0 });
announce(app.server);
