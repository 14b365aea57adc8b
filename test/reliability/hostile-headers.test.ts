import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { DRIVERS } from '../conformance/drivers/index.js';
import { harden as hardenApp } from '../conformance/harness.js';
import { recordFigures } from './figures.js';

/**
 * A conformance app without load shedding: on a shared machine a stalled
 * event loop makes production's overload gate answer 503, which is right
 * for a server and beside the point of these properties.
 */
const harden: typeof hardenApp = (driver, options = {}) => hardenApp(driver, { overload: false, ...options });

/** Any byte a header value may carry on the wire: HTAB, visible ASCII, obs-text (RFC 9110 §5.5). */
const headerValue = fc
  .array(fc.oneof(fc.constant(0x09), fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 300 })
  .map((codes) => String.fromCharCode(...codes).trim());

/** Header values in the shapes attackers try: near-valid ids, traceparents and forwarding chains. */
const hostile = fc.oneof(
  headerValue,
  fc.stringMatching(/^[A-Za-z0-9._:-]{0,140}$/),
  fc.tuple(fc.ipV4(), fc.ipV6(), headerValue).map(([v4, v6, junk]) => `${v4}, [${v6}]:80, ${junk}`),
  fc.tuple(fc.stringMatching(/^[0-9a-fA-F]{0,40}$/), fc.stringMatching(/^[0-9a-f]{0,20}$/)).map(([trace, span]) => `00-${trace}-${span}-01`),
  fc.constantFrom('for="[::1', 'for=unknown;proto=https', '"', '\\', '{"level":"fatal"}', '%00', '../../etc/passwd', 'a'.repeat(8192)),
);

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const tally = { requests: 0, echoed: 0, replaced: 0, refused431: 0, trustedForwarding: 0 };
let completed = 0;

for (const driver of DRIVERS) {
  describe(`hostile request headers [${driver.name}]`, () => {
    it('never crash, never echo an unsafe id, never move the client IP without trust', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(fc.record({ id: hostile, trace: hostile, xff: hostile, forwarded: hostile, cookie: hostile }), async ({ id, trace, xff, forwarded, cookie }) => {
          const response = await app.request({
            url: '/context',
            headers: { 'x-request-id': id, traceparent: trace, 'x-forwarded-for': xff, forwarded, cookie },
          });
          tally.requests++;
          if (response.status === 431) {
            // Over Node's header budget: refused before any framework runs, still as a problem.
            assert.match(response.headers['content-type'] ?? '', /application\/problem\+json/);
            assert.equal(response.json()['code'], 'HEADERS_TOO_LARGE');
            tally.refused431++;
            return;
          }
          assert.equal(response.status, 200);
          const body = response.json();
          const echoed = response.headers['x-request-id'] ?? '';
          if (SAFE_ID.test(id)) assert.equal(echoed, id);
          else assert.match(echoed, UUID);
          if (SAFE_ID.test(id)) tally.echoed++;
          else tally.replaced++;
          assert.equal(body['requestId'], echoed);
          assert.equal(body['clientIp'], '127.0.0.1');
          const traceId = body['traceId'];
          assert.ok(traceId === undefined || /^[0-9a-f]{32}$/.test(String(traceId)));
        }),
        { numRuns: 150 },
      );
      completed++;
    });

    it('with one trusted hop, the client IP is always a valid address or the peer', async () => {
      const { app } = await harden(driver, { trustProxy: 1 });
      await fc.assert(
        fc.asyncProperty(hostile, hostile, async (xff, forwarded) => {
          const response = await app.request({ url: '/context', headers: { 'x-forwarded-for': xff, forwarded } });
          tally.requests++;
          tally.trustedForwarding++;
          if (response.status === 431) {
            tally.refused431++;
            return;
          }
          assert.equal(response.status, 200);
          const ip = String(response.json()['clientIp']);
          assert.ok(ip === '127.0.0.1' || /^[0-9.]+$/.test(ip) || /^[0-9a-f:.]+$/.test(ip), ip);
        }),
        { numRuns: 100 },
      );
      completed++;
    });
  });
}

after(() => {
  if (completed !== DRIVERS.length * 2) return;
  recordFigures('hostile-headers', {
    title: 'Hostile request headers on every adapter',
    group: 'hostile input',
    command: 'npm test -- test/reliability/hostile-headers.test.ts',
    claim:
      'Random bytes and near-valid shapes (up to 8 KiB) in X-Request-ID, traceparent, X-Forwarded-For, Forwarded and Cookie, on Fastify, Express, a fetch handler and Hono: no request crashes; a request id is echoed only when it is a safe token, else replaced by a UUID; a trace id is 32 hex digits or absent; the client IP never moves without a trusted proxy, and with one hop trusted it is always a valid address; over Node\'s header budget the answer is a 431 problem.',
    figures: {
      adapters: DRIVERS.map((driver) => driver.name).join(', '),
      'requests sent': tally.requests,
      'request ids echoed (safe tokens)': tally.echoed,
      'request ids replaced by a UUID': tally.replaced,
      'requests with one trusted hop': tally.trustedForwarding,
      '431 problems (over the header budget)': tally.refused431,
      'crashes or 5xx': 0,
      'client IPs moved without trust': 0,
    },
  });
});
