import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { PROBLEM_CODES } from 'rampart';
import type { TestApp, TestRequest, TestResponse } from '../conformance/drivers/types.js';

/**
 * What every answer to hostile input must be, on every adapter: a success,
 * or an RFC 9457 problem with a registered code, the request id and no
 * internals; never a 5xx, never a hang.
 */

/** No single request may take longer than this, or it counts as a hang. */
export const REQUEST_DEADLINE_MS = 5000;

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Stack frames, source paths and library error names: what a production error body must never carry. */
const INTERNALS = /\n\s+at |node_modules|\.[cm]?[jt]s:\d+|FST_ERR|SyntaxError|URIError|TypeError|RangeError|Unexpected token|ECONNREFUSED/;

/** Tallies of what the hostile requests got, for the reliability figures. */
export class HostileTally {
  /** One tally adding up several (one per adapter), for a scenario's figures. */
  static combine(tallies: Iterable<HostileTally>): HostileTally {
    const total = new HostileTally();
    for (const tally of tallies) {
      total.requests += tally.requests;
      total.successes += tally.successes;
      total.problems += tally.problems;
      total.slowestMs = Math.max(total.slowestMs, tally.slowestMs);
      for (const [code, count] of tally.codes) total.codes.set(code, (total.codes.get(code) ?? 0) + count);
    }
    return total;
  }

  requests = 0;
  successes = 0;
  problems = 0;
  slowestMs = 0;
  readonly codes = new Map<string, number>();

  /** Sends `request` through `app` under the deadline, checks the answer is well formed, and counts it. */
  send(app: TestApp, request: TestRequest, label: string): Promise<TestResponse> {
    return this.observe(() => app.request(request), label);
  }

  /** Runs one exchange under the deadline, checks the answer is well formed, and counts it. */
  async observe(exchange: () => Promise<TestResponse>, label: string): Promise<TestResponse> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${label}: no answer within ${REQUEST_DEADLINE_MS} ms (a hang)`)), REQUEST_DEADLINE_MS);
    });
    let response: TestResponse;
    try {
      response = await Promise.race([exchange(), deadline]);
    } finally {
      clearTimeout(timer);
    }
    this.slowestMs = Math.max(this.slowestMs, performance.now() - started);
    this.requests++;
    assertWellFormed(response, label);
    if (response.status >= 400) {
      this.problems++;
      const code = String(response.json()['code']);
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    } else {
      this.successes++;
    }
    return response;
  }

  /** The problem codes seen with their counts, e.g. "BAD_REQUEST 12, NOT_FOUND 3". */
  codeSummary(): string {
    return [...this.codes].sort(([a], [b]) => a.localeCompare(b)).map(([code, count]) => `${code} ${count}`).join(', ');
  }
}

/** A success, or a well-formed problem+json; never a 5xx. */
export function assertWellFormed(response: TestResponse, label: string): void {
  const context = `${label} → ${response.status} ${response.body.slice(0, 300)}`;
  assert.ok(response.status >= 200 && response.status < 500, `never a 5xx: ${context}`);
  const requestId = response.headers['x-request-id'] ?? '';
  assert.match(requestId, SAFE_ID, `every answer carries a request id: ${context}`);
  if (response.status < 400) return;
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json\b/, context);
  let problem: Record<string, unknown>;
  try {
    problem = response.json();
  } catch {
    assert.fail(`the problem body is JSON: ${context}`);
  }
  assert.equal(problem['status'], response.status, context);
  for (const member of ['type', 'title', 'detail', 'instance', 'code']) assert.equal(typeof problem[member], 'string', `${member}: ${context}`);
  assert.ok(Object.hasOwn(PROBLEM_CODES, String(problem['code'])), `a registered problem code: ${context}`);
  assert.equal(problem['requestId'], requestId, context);
  assert.doesNotMatch(response.body, INTERNALS, `no internals reach the client: ${context}`);
}

/** The built-in prototypes a pollution payload aims at. */
const PROTOTYPES: readonly object[] = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype, Boolean.prototype];

/** Every own property of the built-in prototypes, to compare after hostile input. */
export function prototypeSnapshot(): PropertyDescriptorMap[] {
  return PROTOTYPES.map((prototype) => Object.getOwnPropertyDescriptors(prototype));
}

/** Fails if any built-in prototype gained, lost or changed a property since `before`. */
export function assertPrototypesClean(before: readonly PropertyDescriptorMap[], label: string): void {
  const after = prototypeSnapshot();
  for (const [index, then] of before.entries()) {
    const now = after[index] as PropertyDescriptorMap;
    assert.deepEqual(Reflect.ownKeys(now), Reflect.ownKeys(then), `${label}: a prototype's keys changed`);
    for (const key of Reflect.ownKeys(then) as string[]) {
      const a = then[key] as PropertyDescriptor;
      const b = now[key] as PropertyDescriptor;
      assert.ok(Object.is(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable, `${label}: ${String(key)} changed on a prototype`);
    }
  }
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined, label);
}

/**
 * Writes `bytes` to a loopback port as they are (no client library
 * normalizes or refuses them) and parses the first response that comes back,
 * or fails after REQUEST_DEADLINE_MS.
 */
export function rawExchange(port: number, bytes: Buffer): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const settle = (outcome: () => TestResponse): void => {
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${REQUEST_DEADLINE_MS} ms to ${JSON.stringify(bytes.toString('latin1').slice(0, 120))} (a hang)`));
    }, REQUEST_DEADLINE_MS);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Bytes that smuggle a second request keep the connection open: the first complete answer is the one asked for.
      const response = completeResponse(received);
      if (response !== undefined) settle(() => response);
    });
    // A server may reset the connection right after answering a request it refused.
    socket.on('error', () => undefined);
    socket.on('close', () => settle(() => completeResponse(received) ?? assert.fail(`the connection closed without a complete response: ${JSON.stringify(received.toString('latin1').slice(0, 200))}`)));
    socket.end(bytes);
  });
}

/** The first HTTP/1.1 response in `raw` (status line, headers, a Content-Length or chunked body), or undefined while incomplete. */
function completeResponse(raw: Buffer): TestResponse | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = headers[name] === undefined ? line.slice(colon + 1).trim() : `${headers[name]}, ${line.slice(colon + 1).trim()}`;
  }
  const rest = raw.subarray(end + 4);
  let body: Buffer;
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    for (let at = 0; ; ) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      if (!(size > 0) || rest.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < length) return undefined;
    body = rest.subarray(0, length);
  }
  const text = body.toString('utf8');
  return { status, headers, body: text, json: <T>() => JSON.parse(text) as T };
}
