import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { DRIVERS, type TestApp, type TestResponse } from '../conformance/drivers/index.js';
import { harden as hardenApp } from '../conformance/harness.js';
import { HostileTally, REQUEST_DEADLINE_MS, assertPrototypesClean, prototypeSnapshot } from '../support/hostile.js';
import { recordFigures } from './figures.js';

// Hostile request bodies on every adapter: generated JSON documents full of
// prototype keys (plain and \u-escaped), duplicate keys and numbers no double
// holds; nesting far past the limit; invalid UTF-8 sent as raw bytes; wrong
// content types; random bytes; and a corpus of known payloads. Each answer is
// checked against what the documented limits say it must be, and is always a
// success or a well-formed problem (test/support/hostile.ts), within
// REQUEST_DEADLINE_MS, with the built-in prototypes untouched.

/**
 * A conformance app without load shedding: on a shared machine a stalled
 * event loop makes production's overload gate answer 503, which is right
 * for a server and beside the point of these properties.
 */
const harden: typeof hardenApp = (driver, options = {}) => hardenApp(driver, { overload: false, ...options });

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_DEPTH = 64;
const MAX_KEYS = 1000;
const RUNS = { documents: 400, nesting: 150, encoding: 150, mediaTypes: 150, bytes: 150 };

/** A JSON document as written on the wire: object keys are kept as raw (possibly escaped) text, duplicates included. */
type Doc = { kind: 'literal'; text: string } | { kind: 'array'; items: Doc[] } | { kind: 'object'; members: [string, Doc][] };

/** Keys that reach, or try to reach, a prototype, and harmless ones with a prototype-ish name. */
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '\\u005f_proto__',
  '__pro\\u0074o__',
  '\\u005F\\u005Fproto\\u005F\\u005F',
  '\\u0063onstructor',
  'constructo\\u0072',
  '__proto__ ',
  '__PROTO__',
  '__proto',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  'polluted',
];

/** `__proto__`, `constructor` or `prototype` with random characters written as `\uXXXX`, in either hex case. */
const escapedKey = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 11, maxLength: 11 }))
  .map(([word, modes]) =>
    [...word]
      .map((char, i) => {
        const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
        return modes[i] === 0 ? char : `\\u${modes[i] === 2 ? hex.toUpperCase() : hex}`;
      })
      .join(''),
  );

const key = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }).map((text) => JSON.stringify(text).slice(1, -1)) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 2, arbitrary: escapedKey },
  // A small pool, so duplicate keys are common.
  { weight: 2, arbitrary: fc.constantFrom('a', 'b') },
);

/** Numbers past what a double holds, in every spelling JSON allows. */
const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '0.1e999999999',
  '4.9e-325',
  '1.7976931348623157e309',
  '123456789012345678901234567890',
  '-9007199254740993',
  '9'.repeat(400),
  `1${'0'.repeat(1000)}`,
  `0.${'0'.repeat(500)}1`,
];

const literal = fc
  .oneof(
    fc.constantFrom(...HUGE_NUMBERS),
    fc.bigInt({ min: -(2n ** 256n), max: 2n ** 256n }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 20 }).map((text) => JSON.stringify(text)),
    fc.constantFrom('true', 'false', 'null'),
  )
  .map((text): Doc => ({ kind: 'literal', text }));

const doc: fc.Arbitrary<Doc> = fc.letrec<{ node: Doc; object: Doc; array: Doc }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, literal, tie('object'), tie('array')),
  object: fc.array(fc.tuple(key, tie('node')), { maxLength: 5 }).map((members): Doc => ({ kind: 'object', members })),
  array: fc.array(tie('node'), { maxLength: 5 }).map((items): Doc => ({ kind: 'array', items })),
})).node;

/** Insignificant whitespace (RFC 8259 §2) around every token, so the pre-scan meets `"__proto__" :` too. */
const whitespace = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');

function serialize(node: Doc, ws: string): string {
  switch (node.kind) {
    case 'literal':
      return node.text;
    case 'array':
      return `[${ws}${node.items.map((item) => serialize(item, ws)).join(`${ws},${ws}`)}${ws}]`;
    case 'object':
      return `{${ws}${node.members.map(([name, value]) => `"${name}"${ws}:${ws}${serialize(value, ws)}`).join(`${ws},${ws}`)}${ws}}`;
  }
}

function depthOf(node: Doc): number {
  switch (node.kind) {
    case 'literal':
      return 0;
    case 'array':
      return 1 + Math.max(0, ...node.items.map(depthOf));
    case 'object':
      return 1 + Math.max(0, ...node.members.map(([, value]) => depthOf(value)));
  }
}

function keysOf(node: Doc): number {
  switch (node.kind) {
    case 'literal':
      return 0;
    case 'array':
      return node.items.reduce((sum, item) => sum + keysOf(item), 0);
    case 'object':
      return node.members.reduce((sum, [, value]) => sum + 1 + keysOf(value), 0);
  }
}

/** Whether a parsed value holds what reaches a prototype when copied: an own `__proto__`, or a `constructor` object with its own `prototype`. */
function reachesPrototype(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Object.hasOwn(value, '__proto__')) return true;
  const ctor = Object.hasOwn(value, 'constructor') ? (value as Record<string, unknown>)['constructor'] : undefined;
  if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) return true;
  return Object.values(value).some(reachesPrototype);
}

type Expected = { status: number; code?: string; echo?: unknown };

/** What the documented limits say a JSON body must get: 413 past depth or keys, 400 for prototype keys, else parsed exactly. */
function expectedForJson(text: string, depth: number, keys: number): Expected {
  if (depth > MAX_DEPTH || keys > MAX_KEYS) return { status: 413, code: 'PAYLOAD_TOO_LARGE' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { status: 400, code: 'MALFORMED_JSON' };
  }
  if (reachesPrototype(value)) return { status: 400, code: 'MALFORMED_JSON' };
  // What the server sends back: its own JSON of the parsed value (1e400 → null, -0 → 0).
  return { status: 200, echo: JSON.parse(JSON.stringify(value)) as unknown };
}

function assertExpected(response: TestResponse, expected: Expected, label: string): void {
  const context = `${label} → ${response.status} ${response.body.slice(0, 200)}`;
  assert.equal(response.status, expected.status, context);
  if (expected.code !== undefined) assert.equal(response.json()['code'], expected.code, context);
  if (expected.echo !== undefined) assert.deepEqual(response.json<{ body: unknown }>().body, expected.echo, context);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
function isUtf8(bytes: Uint8Array): boolean {
  try {
    STRICT_UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Byte sequences no UTF-8 decoder may accept: stray continuations, overlongs, surrogates, past U+10FFFF, truncated. */
const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0xc3],
];

/** Media types a body may be sent with, for the 415 property; `expected` is computed from RFC 9110 §8.3.1. */
const HOSTILE_MEDIA_TYPES = [
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/xml',
  'text/html',
  'application/javascript',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;charset="utf-16le"',
  'application/json; charset=utf-32',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/jsonp',
  'application/json-patch+json',
  'application/vnd.api+json',
  'application/csp-report',
  'json',
  'application/',
  '/json',
  '*/*',
  'application/*',
  ';',
  'multipart/mixed; boundary=x',
  'APPLICATION/XML',
  'Application/JSON; Charset=UTF-8',
  'application/json; charset=utf-8; charset=utf-16',
  ' application/json ',
];

const mediaToken = fc.stringMatching(/^[a-z0-9][a-z0-9.+-]{0,15}$/);
const mediaType = fc.oneof(
  fc.constantFrom(...HOSTILE_MEDIA_TYPES),
  fc.tuple(mediaToken, mediaToken, fc.constantFrom('', '; charset=utf-8', '; charset=utf-16', ';x=y')).map(([type, subtype, parameters]) => `${type}/${subtype}${parameters}`),
  fc.tuple(fc.constantFrom(JSON_TYPE, FORM_TYPE), fc.constantFrom('utf-8', 'UTF8', 'utf-16', 'windows-1252', 'us-ascii', '"utf-8"', '')).map(([type, charset]) => `${type}; charset=${charset}`),
);

/** 415 unless the essence is an accepted type and, for JSON and forms, any charset is UTF-8. Undefined: the route's own parser decides. */
function expectedForMediaType(contentType: string): number | undefined {
  const end = contentType.indexOf(';');
  const essence = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
  if (essence === 'multipart/form-data') return undefined;
  if (essence !== JSON_TYPE && essence !== FORM_TYPE) return 415;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return 415;
  return undefined;
}

/** Known payloads and their documented answers. */
const CORPUS: { name: string; type: string; body: string | Buffer; status: number; code?: string; echo?: unknown }[] = [
  { name: 'classic __proto__', type: JSON_TYPE, body: '{"__proto__":{"isAdmin":true}}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'constructor.prototype', type: JSON_TYPE, body: '{"constructor":{"prototype":{"isAdmin":true}}}', status: 400, code: 'MALFORMED_JSON' },
  { name: '__proto__ nested in an array', type: JSON_TYPE, body: '[{"a":[{"__proto__":{"x":1}}]}]', status: 400, code: 'MALFORMED_JSON' },
  { name: 'fully escaped __proto__', type: JSON_TYPE, body: '{"\\u005f\\u005f\\u0070\\u0072\\u006f\\u0074\\u006f\\u005f\\u005f":{"x":1}}', status: 400, code: 'MALFORMED_JSON' },
  { name: '__proto__ : null with spaces', type: JSON_TYPE, body: '{ "__proto__" : null }', status: 400, code: 'MALFORMED_JSON' },
  { name: 'duplicate __proto__', type: JSON_TYPE, body: '{"__proto__":1,"__proto__":2}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'constructor as a plain string', type: JSON_TYPE, body: '{"constructor":"Ford"}', status: 200, echo: { constructor: 'Ford' } },
  { name: 'prototype as a plain key', type: JSON_TYPE, body: '{"prototype":{"x":1}}', status: 200, echo: { prototype: { x: 1 } } },
  { name: 'duplicate keys: the last wins', type: JSON_TYPE, body: '{"role":"admin","role":"user"}', status: 200, echo: { role: 'user' } },
  { name: '1e999999 becomes null', type: JSON_TYPE, body: '{"n":1e999999}', status: 200, echo: { n: null } },
  { name: 'lone surrogate escape', type: JSON_TYPE, body: '"\\ud800"', status: 200, echo: '\ud800' },
  { name: 'NaN', type: JSON_TYPE, body: '{"a":NaN}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'Infinity', type: JSON_TYPE, body: '{"a":Infinity}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'trailing comma', type: JSON_TYPE, body: '[1,]', status: 400, code: 'MALFORMED_JSON' },
  { name: 'single quotes', type: JSON_TYPE, body: "{'a':1}", status: 400, code: 'MALFORMED_JSON' },
  { name: 'trailing garbage', type: JSON_TYPE, body: '{"a":1}<script>', status: 400, code: 'MALFORMED_JSON' },
  { name: 'raw NUL inside a string', type: JSON_TYPE, body: '{"a":"\u0000"}', status: 400, code: 'MALFORMED_JSON' },
  { name: 'whitespace only', type: JSON_TYPE, body: '   ', status: 400, code: 'MALFORMED_JSON' },
  { name: 'unterminated string with a quote key', type: JSON_TYPE, body: '{"__proto__', status: 400, code: 'MALFORMED_JSON' },
  { name: '64 levels', type: JSON_TYPE, body: `${'['.repeat(64)}${']'.repeat(64)}`, status: 200 },
  { name: '65 levels', type: JSON_TYPE, body: `${'['.repeat(65)}${']'.repeat(65)}`, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: '100 000 open brackets', type: JSON_TYPE, body: '['.repeat(100_000), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: '1001 keys', type: JSON_TYPE, body: JSON.stringify(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: '1000 duplicate keys', type: JSON_TYPE, body: `{${Array.from({ length: 1000 }, () => '"a":1').join(',')}}`, status: 200, echo: { a: 1 } },
  { name: '1 MiB + 1 string', type: JSON_TYPE, body: `"${'x'.repeat(1024 * 1024)}"`, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'BOM before JSON', type: JSON_TYPE, body: Buffer.from('\ufeff{"a":1}'), status: 200, echo: { a: 1 } },
  { name: 'UTF-16LE bytes labelled UTF-8', type: JSON_TYPE, body: Buffer.from('{"a":1}', 'utf16le'), status: 400, code: 'MALFORMED_JSON' },
  { name: 'UTF-16 BOM', type: JSON_TYPE, body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]), status: 400, code: 'BAD_REQUEST' },
  { name: "overlong '/' (C0 AF)", type: JSON_TYPE, body: Buffer.from([0x22, 0xc0, 0xaf, 0x22]), status: 400, code: 'BAD_REQUEST' },
  { name: 'CESU-8 surrogate pair', type: JSON_TYPE, body: Buffer.from([0x22, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, 0x22]), status: 400, code: 'BAD_REQUEST' },
  { name: 'form __proto__ field', type: FORM_TYPE, body: '__proto__=1', status: 400, code: 'BAD_REQUEST' },
  { name: 'form percent-encoded __proto__', type: FORM_TYPE, body: '%5F%5Fproto%5F%5F=1', status: 400, code: 'BAD_REQUEST' },
  { name: 'form qs-style nesting stays flat', type: FORM_TYPE, body: '__proto__[polluted]=1&constructor[prototype][polluted]=1', status: 200, echo: { '__proto__[polluted]': '1', 'constructor[prototype][polluted]': '1' } },
  { name: 'form repeated field', type: FORM_TYPE, body: 'a=1&a=2&a=3', status: 200, echo: { a: ['1', '2', '3'] } },
  { name: 'form 1001 fields', type: FORM_TYPE, body: Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&'), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'form invalid UTF-8 byte', type: FORM_TYPE, body: Buffer.from([0x61, 0x3d, 0xff]), status: 400, code: 'BAD_REQUEST' },
  { name: 'JSON as text/plain (CORS simple request)', type: 'text/plain', body: '{"email":"attacker@example.com"}', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'JSON as UTF-16', type: 'application/json; charset=utf-16', body: '{}', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'XML external entity', type: 'application/xml', body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
];

const tallies = new Map<string, HostileTally>();
let completed = 0;
const TESTS_PER_DRIVER = 6;
const prototypes = prototypeSnapshot();

for (const driver of DRIVERS) {
  const tally = new HostileTally();
  tallies.set(driver.name, tally);
  const send = async (app: TestApp, type: string, body: string | Buffer, label: string, url = '/echo', headers: Record<string, string> = {}): Promise<TestResponse> => {
    const response = await tally.send(app, { method: 'POST', url, headers: { 'content-type': type, ...headers }, body }, `[${driver.name}] ${label}`);
    assertPrototypesClean(prototypes, `[${driver.name}] ${label}`);
    return response;
  };

  describe(`hostile request bodies [${driver.name}]`, () => {
    it('JSON with prototype keys (plain and escaped), duplicate keys and huge numbers: parsed exactly, or refused as a problem', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(doc, whitespace, fc.boolean(), async (node, ws, validated) => {
          const text = serialize(node, ws);
          const expected = expectedForJson(text, depthOf(node), keysOf(node));
          if (!validated) {
            assertExpected(await send(app, JSON_TYPE, text, text.slice(0, 120)), expected, text.slice(0, 120));
            return;
          }
          // The same body on a route that validates it (zod, strict object): refused the same way, or 422 instead of 200.
          const response = await send(app, JSON_TYPE, text, text.slice(0, 120), '/items/abc-1?limit=2', { 'x-tenant': 't' });
          if (expected.status === 200) assert.ok(response.status === 200 || response.status === 422, `${text.slice(0, 120)} → ${response.status}`);
          else assertExpected(response, { ...expected, echo: undefined }, text.slice(0, 120));
        }),
        { numRuns: RUNS.documents },
      );
      completed++;
    });

    it('nesting far past the limit is refused with 413 before parsing, truncated or not', async () => {
      const { app } = await harden(driver);
      const opener = fc.constantFrom(['{"a":', '}', 1], ['[', ']', 1], ['{ "b" :\n', '}', 1], ['[0,', ']', 1], ['{"constructor":{"prototype":', '}}', 2], ['{"\\u005f_proto__":', '}', 1]);
      await fc.assert(
        fc.asyncProperty(fc.array(opener, { minLength: 1, maxLength: 300, size: 'max' }), fc.nat({ max: 3 }), async (openers, missing) => {
          const closers = openers.map(([, close]) => close).reverse();
          const text = `${openers.map(([open]) => open).join('')}1${closers.slice(0, closers.length - Math.min(missing, closers.length)).join('')}`;
          const depth = openers.reduce((sum, [, , levels]) => sum + levels, 0);
          const response = await send(app, JSON_TYPE, text, `${depth} levels, ${missing} closers missing`);
          // Depth is counted on the raw text before JSON.parse builds anything, so a truncated document is still a 413 past the limit.
          if (depth > MAX_DEPTH) assertExpected(response, { status: 413, code: 'PAYLOAD_TOO_LARGE' }, text.slice(0, 80));
          else assertExpected(response, missing > 0 ? { status: 400, code: 'MALFORMED_JSON' } : expectedForJson(text, depth, 0), text.slice(0, 80));
        }),
        { numRuns: RUNS.nesting },
      );
      completed++;
    });

    it('invalid UTF-8 anywhere in a JSON or form body is refused with 400, never decoded lossily', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(doc, fc.constantFrom(...INVALID_UTF8), fc.nat(), fc.constantFrom(JSON_TYPE, FORM_TYPE), async (node, sequence, at, type) => {
          const valid = Buffer.from(type === JSON_TYPE ? serialize(node, '') : `name=${serialize(node, '')}`);
          const position = at % (valid.length + 1);
          const body = Buffer.concat([valid.subarray(0, position), Buffer.from(sequence), valid.subarray(position)]);
          fc.pre(!isUtf8(body));
          const response = await send(app, type, body, `${type} with ${Buffer.from(sequence).toString('hex')} at byte ${position}`);
          assertExpected(response, { status: 400, code: 'BAD_REQUEST' }, body.toString('hex').slice(0, 80));
          assert.equal(response.json()['detail'], 'The request body is not valid UTF-8.');
        }),
        { numRuns: RUNS.encoding },
      );
      completed++;
    });

    it('wrong, malformed and non-UTF-8 content types are refused with 415 before the body is read', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(mediaType, async (type) => {
          const response = await send(app, type, '{"a":1}', `content-type ${JSON.stringify(type)}`);
          const expected = expectedForMediaType(type);
          if (expected !== undefined) assertExpected(response, { status: expected, code: 'UNSUPPORTED_MEDIA_TYPE' }, type);
        }),
        { numRuns: RUNS.mediaTypes },
      );
      completed++;
    });

    it('random bytes labelled JSON or form never crash, hang or get a 5xx', async () => {
      const { app } = await harden(driver);
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.constantFrom(JSON_TYPE, FORM_TYPE), async (bytes, type) => {
          const response = await send(app, type, Buffer.from(bytes), `${bytes.length} random bytes as ${type}`);
          assert.ok([200, 400, 413].includes(response.status), `${Buffer.from(bytes).toString('hex').slice(0, 80)} → ${response.status}`);
          if (!isUtf8(bytes)) assert.equal(response.json()['code'], 'BAD_REQUEST');
        }),
        { numRuns: RUNS.bytes },
      );
      completed++;
    });

    it('a corpus of known payloads gets its documented answer', async () => {
      const { app } = await harden(driver);
      for (const payload of CORPUS) {
        const response = await send(app, payload.type, payload.body, payload.name);
        assertExpected(response, payload, payload.name);
      }
      completed++;
    });
  });
}

after(() => {
  if (completed !== DRIVERS.length * TESTS_PER_DRIVER) return;
  const total = HostileTally.combine(tallies.values());
  recordFigures('hostile-bodies', {
    title: 'Hostile request bodies on every adapter',
    group: 'hostile input',
    command: 'npm test -- test/reliability/hostile-bodies.test.ts',
    claim:
      'Generated JSON (prototype keys plain and \\u-escaped, duplicate keys, numbers past a double, nesting past 64 levels), invalid UTF-8 as raw bytes, wrong content types, random bytes and a corpus of known payloads, sent to Fastify, Express, a fetch handler and Hono: every answer is the documented one — parsed exactly, or a well-formed problem+json with a registered code and the request id — never a 5xx, never a hang, and the built-in prototypes are never changed.',
    figures: {
      adapters: DRIVERS.map((driver) => driver.name).join(', '),
      'requests sent': total.requests,
      'answered 2xx': total.successes,
      'answered with a problem': total.problems,
      'problem codes': total.codeSummary(),
      'corpus payloads (per adapter)': CORPUS.length,
      '5xx answers': 0,
      'hangs (no answer within the deadline)': 0,
      'request deadline': `${REQUEST_DEADLINE_MS} ms`,
      'slowest answer': `${Math.round(total.slowestMs)} ms`,
      'prototype properties changed': 0,
    },
  });
});
