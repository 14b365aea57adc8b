import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { RampartOptions } from 'rampart';
import { DRIVERS, type TestApp, type TestResponse } from '../conformance/drivers/index.js';
import { harden as hardenApp } from '../conformance/harness.js';
import { HostileTally, REQUEST_DEADLINE_MS, assertPrototypesClean, prototypeSnapshot, rawExchange } from '../support/hostile.js';
import { recordFigures } from './figures.js';

// Hostile request targets on every adapter: encoded traversal (%2e%2e%2f,
// ..%2f, double encoding, overlong UTF-8 dots), NUL and control bytes,
// malformed escapes, overlong paths and query strings, prototype keys in the
// query. Beyond "never a 5xx, never a hang, always a well-formed problem"
// (test/support/hostile.ts), the properties that matter for a hardening
// layer: a path spelled another way cannot dodge a rate-limit rule, reach a
// CSRF-protected handler through an exempt-looking prefix, or read an
// admin endpoint. Over a real socket (Fastify, Express) the target is also
// written as raw bytes no client library would send.

/**
 * A conformance app without load shedding: on a shared machine a stalled
 * event loop makes production's overload gate answer 503, which is right
 * for a server and beside the point of these properties.
 */
const harden: typeof hardenApp = (driver, options = {}) => hardenApp(driver, { overload: false, ...options });

const RUNS = { paths: 300, rateLimit: 200, csrf: 150, admin: 150, lengths: 60, queries: 150, wire: 200 };
const URL_LIMIT = 8192;

const TRAVERSAL_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '..%2f',
  '..%2F',
  '%2e%2e%2f',
  '..%5c',
  '..\\',
  '%252e%252e%252f',
  '%252e%252e',
  '%c0%ae%c0%ae',
  '%c0%af',
  '%e0%80%ae',
  '..;',
  ';',
  '%00',
  '..%00',
  '%2500',
  '%0a',
  '%0d%0a',
  '%09',
  '%20',
  '%',
  '%zz',
  '%f',
  '%ff%fe',
  '%e2%82',
  '%2f',
  '%5c',
  '~',
  '',
  'etc',
  'passwd',
  'json',
  'context',
  'health',
  'metrics',
  'status',
  'items',
  'abc-1',
];

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRAVERSAL_SEGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent) },
  // `/boom` is the conformance app's deliberate 500.
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,12}$/).filter((text) => text !== 'boom') },
);
const path = fc.array(segment, { minLength: 1, maxLength: 8 }).map((segments) => `/${segments.join('/')}`);

const QUERY_KEYS = ['__proto__', '__proto__[polluted]', 'constructor[prototype][polluted]', 'constructor.prototype.polluted', 'a[__proto__][polluted]', '%5F%5Fproto%5F%5F', 'limit', 'limit[]', 'toString', 'hasOwnProperty'];
const queryPart = fc.oneof(fc.constantFrom(...QUERY_KEYS, '1', 'true', '%zz', '%ff', '%00', '', '%', '..%2f..%2f', 'a'.repeat(50)), fc.string({ unit: 'grapheme', maxLength: 8 }).map(encodeURIComponent));
const query = fc.array(fc.tuple(queryPart, queryPart), { minLength: 1, maxLength: 6 }).map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&'));

/** Ways routers differ in reading one path: escapes, case, slashes, dot segments, parameters, suffixes. */
const SPELLINGS = ['encode', 'upper', 'double-slash', 'dot', 'dotdot', 'encoded-dot', 'trailing-slash', 'query', 'semicolon', 'trailing-escape', 'fragment', 'leading-double-slash'] as const;
type Spelling = (typeof SPELLINGS)[number];

function respell(target: string, [spelling, at, upperHex]: [Spelling, number, boolean]): string {
  const [path = '', suffix = ''] = target.split(/(?=[?#;])/);
  const letters = [...path.matchAll(/[a-z]/gi)].map((match) => match.index);
  const index = letters.length === 0 ? -1 : (letters[at % letters.length] as number);
  const slashes = [...path.matchAll(/\//g)].map((match) => match.index);
  const slash = slashes[at % slashes.length] as number;
  switch (spelling) {
    case 'encode': {
      if (index === -1) return target;
      const hex = path.charCodeAt(index).toString(16);
      return `${path.slice(0, index)}%${upperHex ? hex.toUpperCase() : hex}${path.slice(index + 1)}${suffix}`;
    }
    case 'upper':
      return index === -1 ? target : `${path.slice(0, index)}${path.charAt(index).toUpperCase()}${path.slice(index + 1)}${suffix}`;
    case 'double-slash':
      return `${path.slice(0, slash)}/${path.slice(slash)}${suffix}`;
    case 'dot':
      return `${path.slice(0, slash)}/.${path.slice(slash)}${suffix}`;
    case 'dotdot':
      return `${path.slice(0, slash)}/x/..${path.slice(slash)}${suffix}`;
    case 'encoded-dot':
      return `${path.slice(0, slash)}/${upperHex ? '%2E' : '%2e'}${path.slice(slash)}${suffix}`;
    case 'trailing-slash':
      return `${path}/${suffix}`;
    case 'query':
      return `${path}?a=${at}${suffix.replace(/^\?/, '&')}`;
    case 'semicolon':
      return `${path};a=${at}${suffix}`;
    case 'trailing-escape':
      return `${path}${['%20', '%00', '%09', '%2f', '%2F', '%2e'][at % 6] ?? ''}${suffix}`;
    case 'fragment':
      return `${path}${suffix}#x`;
    case 'leading-double-slash':
      return `/${path}${suffix}`;
  }
}

const spellings = fc.array(fc.tuple(fc.constantFrom(...SPELLINGS), fc.nat({ max: 50 }), fc.boolean()), { minLength: 1, maxLength: 4 });
const spelled = (target: string) => spellings.map((steps) => steps.reduce(respell, target));

const ADMIN_TOKEN = 'reliability-admin-token-0123456789abcdef';
const SITE = 'https://app.example.com';
const CSRF_OPTIONS: RampartOptions = { csrf: { origins: [SITE], exemptPaths: ['/webhooks/*'] } };
const tallies = new Map<string, HostileTally>();
let completed = 0;
let expectedTests = 0;
const prototypes = prototypeSnapshot();

for (const driver of DRIVERS) {
  const tally = new HostileTally();
  tallies.set(driver.name, tally);
  const send = async (app: TestApp, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<TestResponse> => {
    const label = `[${driver.name}] ${init.method ?? 'GET'} ${url.slice(0, 160)}`;
    const response = await tally.send(app, { url, ...init }, label);
    assertPrototypesClean(prototypes, label);
    return response;
  };
  const statusIn = (response: TestResponse, allowed: readonly number[], url: string): void => {
    assert.ok(allowed.includes(response.status), `[${driver.name}] ${url.slice(0, 160)} → ${response.status} ${response.body.slice(0, 200)}`);
  };

  describe(`hostile request targets [${driver.name}]`, () => {
    expectedTests += 6;
    it('encoded traversal, NUL bytes and malformed escapes in the path: a success or a problem, never a 5xx or a hang', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(path, fc.option(query), async (target, search) => {
          const url = search === null ? target : `${target}?${search}`;
          statusIn(await send(app, url), [200, 400, 404, 414], url);
        }),
        { numRuns: RUNS.paths },
      );
      completed++;
    });

    it('a path spelled another way cannot dodge a rate-limit rule', async () => {
      const { app } = await harden(driver, { rateLimit: { rules: [{ name: 'spelling', limit: 1, window: '1h', paths: ['/context'] }] } });
      assert.equal((await send(app, '/context')).status, 200, 'the one request the rule allows');
      assert.equal((await send(app, '/context')).status, 429);
      await fc.assert(
        fc.asyncProperty(spelled('/context'), async (url) => {
          const response = await send(app, url);
          // The /context handler answering means the router took it for /context: the rule must have counted it.
          assert.ok(response.status !== 200, `[${driver.name}] ${url} reached the handler past the limit: ${response.body.slice(0, 200)}`);
          statusIn(response, [400, 404, 429], url);
        }),
        { numRuns: RUNS.rateLimit },
      );
      completed++;
    });

    it('an exempt-looking prefix cannot carry a cross-site POST to a CSRF-protected handler', async () => {
      const { app } = await harden(driver, CSRF_OPTIONS);
      const prefixes = fc.constantFrom('/webhooks/..', '/webhooks/%2e%2e', '/webhooks/..%2f', '/webhooks%2f..', '/webhooks/payments/../..', '//webhooks/..', '/webhooks/.%2e', '/webhooks/%252e%252e');
      await fc.assert(
        fc.asyncProperty(prefixes, spelled('/account/email'), async (prefix, target) => {
          const url = `${prefix}${target}`;
          const response = await send(app, url, {
            method: 'POST',
            headers: { cookie: '__Host-session=victim', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
            body: 'email=attacker%40evil.example',
          });
          assert.ok(!(response.status === 200 && response.body.includes('"changed":true')), `[${driver.name}] ${url} changed the account cross-site: ${response.body.slice(0, 200)}`);
          statusIn(response, [400, 403, 404], url);
        }),
        { numRuns: RUNS.csrf },
      );
      completed++;
    });

    it('no spelling of /metrics or /status serves them without the admin token', async () => {
      const { app } = await harden(driver, { admin: { token: ADMIN_TOKEN } });
      assert.equal((await send(app, '/metrics', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200, 'the endpoint exists');
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('/metrics', '/status').chain(spelled), async (url) => {
          const response = await send(app, url);
          assert.doesNotMatch(response.body, /# HELP|# TYPE|uptimeSeconds/, `[${driver.name}] ${url} served an admin endpoint anonymously`);
          statusIn(response, [400, 401, 404], url);
        }),
        { numRuns: RUNS.admin },
      );
      completed++;
    });

    it(`paths, parameters and query strings past ${URL_LIMIT} characters are refused with 414 (or 431 past the header budget)`, async () => {
      const { app } = await harden(driver);
      const shapes = fc.constantFrom('/json?q=', '/', '/items/', '/json?a=1&');
      await fc.assert(
        fc.asyncProperty(shapes, fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('a', '%2e', '..%2f', '%C3%A9'), async (shape, length, unit) => {
          const url = `${shape}${unit.repeat(Math.ceil(length / unit.length))}`;
          const isItems = shape === '/items/';
          const response = await send(app, url, isItems ? { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant': 't' }, body: '{"name":"n","email":"a@example.com"}' } : {});
          if (url.length > URL_LIMIT) {
            statusIn(response, [414, 431], url);
            assert.equal(response.json()['code'], response.status === 414 ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE');
          } else if (isItems) {
            // A route parameter past Fastify's maxParamLength (100) is its 414; elsewhere the schema's 422
            // (404 where a WHATWG URL turned `%2e` into a dot segment and the parameter vanished).
            statusIn(response, [200, 400, 404, 414, 422], url);
          } else {
            statusIn(response, shape === '/' ? [404] : [200], url);
          }
        }),
        { numRuns: RUNS.lengths },
      );
      completed++;
    });

    it('prototype keys and malformed escapes in the query never pollute, crash or pass unvalidated', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(query, async (search) => {
          statusIn(await send(app, `/context?${search}`), [200, 400], search);
          const validated = await send(app, `/items/abc-1?${search}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant': 't' }, body: '{"name":"n","email":"a@example.com"}' });
          statusIn(validated, [200, 400, 422], search);
          // The route's schema bounds `limit` to 1…100 (default 20): whatever the query held, the handler saw a number in range.
          if (validated.status === 200) {
            const limit = validated.json<{ query: { limit: unknown } }>().query.limit;
            assert.ok(typeof limit === 'number' && limit >= 1 && limit <= 100, `${search} → limit ${String(limit)}`);
          }
        }),
        { numRuns: RUNS.queries },
      );
      completed++;
    });
  });

  describe(`hostile request targets on the wire [${driver.name}]`, () => {
    it('raw control bytes, non-ASCII bytes and odd request-target forms are answered as problems', async (t) => {
      const { app } = await harden(driver);
      if (app.listen === undefined) return t.skip(`${driver.name} has no socket of its own: its runtime parses the request line`);
      expectedTests += 1;
      const port = await app.listen();
      const byte = fc.oneof(
        { weight: 2, arbitrary: fc.constantFrom(0x00, 0x01, 0x08, 0x09, 0x0a, 0x0d, 0x20, 0x7f, 0x80, 0xc0, 0xff, 0x25, 0x2e, 0x2f, 0x5c, 0x3f, 0x23, 0x3b) },
        { weight: 3, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
      );
      const target = fc.oneof(
        { weight: 4, arbitrary: fc.array(byte, { maxLength: 60 }).map((bytes) => Buffer.concat([Buffer.from('/'), Buffer.from(bytes)])) },
        { weight: 1, arbitrary: fc.constantFrom('*', 'http://evil.example/json', '127.0.0.1:80', '//json', '/json HTTP/1.1\r\nX-Smuggled: 1', '/json\u0000.html', '/%2e%2e/%2e%2e/etc/passwd').map((text) => Buffer.from(text, 'latin1')) },
      );
      await fc.assert(
        fc.asyncProperty(target, async (bytes) => {
          const request = Buffer.concat([Buffer.from('GET '), bytes, Buffer.from(' HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')]);
          const label = `[${driver.name}] raw GET ${JSON.stringify(bytes.toString('latin1'))}`;
          const response = await tally.observe(() => rawExchange(port, request), label);
          assertPrototypesClean(prototypes, label);
          statusIn(response, [200, 400, 404, 414, 431], label);
        }),
        { numRuns: RUNS.wire },
      );
      completed++;
    });
  });
}

after(() => {
  if (completed !== expectedTests) return;
  const total = HostileTally.combine(tallies.values());
  recordFigures('hostile-urls', {
    title: 'Hostile request targets on every adapter',
    group: 'hostile input',
    command: 'npm test -- test/reliability/hostile-urls.test.ts',
    claim:
      'Generated paths with encoded traversal (%2e%2e%2f, ..%2f, double and overlong encodings), NUL and control bytes, malformed escapes, targets past 8192 characters and queries full of prototype keys, on Fastify, Express, a fetch handler and Hono, and as raw bytes on the wire for the two Node servers: every answer is a success or a well-formed problem+json, never a 5xx or a hang; no spelling of a path dodges a rate-limit rule, carries a cross-site POST through a CSRF-exempt prefix, or reads /metrics or /status without the admin token; the built-in prototypes are never changed.',
    figures: {
      adapters: DRIVERS.map((driver) => driver.name).join(', '),
      'requests sent': total.requests,
      'answered 2xx': total.successes,
      'answered with a problem': total.problems,
      'problem codes': total.codeSummary(),
      'rate-limit, CSRF or admin bypasses': 0,
      '5xx answers': 0,
      'hangs (no answer within the deadline)': 0,
      'request deadline': `${REQUEST_DEADLINE_MS} ms`,
      'slowest answer': `${Math.round(total.slowestMs)} ms`,
      'prototype properties changed': 0,
    },
  });
});
