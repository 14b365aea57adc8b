// Micro-benchmarks for the per-request work of the browser-security features,
// each beside the library users would otherwise reach for:
//   JSON bodies    JSON.parse · secure-json-parse (Fastify's default) · Rampart parseJsonSafely (+ depth and key limits)
//   Cookie header  cookie.parse (Express, @fastify/cookie) · Rampart parseCookieHeader
//   CSRF           csrf-csrf issue / verify (with cookie parsing, as in an app) · Rampart issue / the CSRF gate
// Cases run in many short interleaved rounds (alternating order, so drift in
// machine load falls on every case alike); the median round is reported, with
// each case's ratio to the first one of its group. The machine is shared and
// noisy: read the ratios, not the absolute numbers.
//
//   npm run bench:browser [-- --rounds 31 --ms 40]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';
import { DEFAULT_LIMITS, Keyring, createRampart, parseCookieHeader, parseJsonSafely, type RequestView } from 'rampart';

// The exact copies Fastify and Express use, resolved through them.
const secureJson = createRequire(import.meta.resolve('fastify'))('secure-json-parse') as { parse(text: string): unknown };
const cookie = createRequire(import.meta.resolve('express'))('cookie') as { parse(header: string): Record<string, string | undefined> };

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '31' }, ms: { type: 'string', default: '40' } } });
const rounds = Number(values.rounds);
const budgetMs = Number(values.ms);

interface Case {
  name: string;
  run(): unknown;
}

let sink: unknown;

/** Calls `run` in batches until `budgetMs` has passed; returns operations per second. */
function measure(run: () => unknown): number {
  let operations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 100; i++) sink = run();
    operations += 100;
    elapsed = performance.now() - started;
  }
  return (operations / elapsed) * 1000;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function group(title: string, cases: Case[]): void {
  for (const entry of cases) measure(entry.run); // warm-up
  const samples = cases.map(() => [] as number[]);
  const order = cases.map((_, i) => i);
  for (let round = 0; round < rounds; round++) {
    for (const i of round % 2 === 0 ? order : [...order].reverse()) samples[i]?.push(measure((cases[i] as Case).run));
  }
  const medians = samples.map(median);
  const baseline = medians[0] as number;
  console.log(`\n${title}`);
  cases.forEach((entry, i) => {
    const opsPerSecond = medians[i] as number;
    console.log(`  ${entry.name.padEnd(52)} ${Math.round(opsPerSecond).toLocaleString('en-US').padStart(12)} ops/s   ${(opsPerSecond / baseline).toFixed(2)}×`);
  });
}

// JSON: a typical API body (~2 KB) and a large one (~200 KB).
const small = JSON.stringify({ user: { id: 42, name: 'Ada Lovelace', email: 'ada@example.com', roles: ['admin', 'editor'] }, items: Array.from({ length: 20 }, (_, i) => ({ sku: `SKU-${i}`, qty: i, note: 'fragile: handle with care' })) });
const large = JSON.stringify({ rows: Array.from({ length: 900 }, (_, i) => ({ id: i, text: 'lorem ipsum dolor sit amet '.repeat(8) })) });
const jsonLimits = { maxDepth: DEFAULT_LIMITS.jsonDepth, maxKeys: 100_000, prototypeKeys: 'reject' as const };

for (const [label, text] of [[`JSON body, ${small.length} bytes`, small], [`JSON body, ${large.length} bytes`, large]] as const) {
  group(label, [
    { name: 'JSON.parse (no protection)', run: () => JSON.parse(text) },
    { name: 'secure-json-parse (Fastify default)', run: () => secureJson.parse(text) },
    { name: 'Rampart parseJsonSafely (+ depth and key limits)', run: () => parseJsonSafely(text, jsonLimits) },
  ]);
}

// Cookie header as a browser sends it to an app with analytics and a session.
const cookieHeader = '_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; theme=dark; lang=en-GB; __Host-csrf=Vb0m1Zb3c2l0ZXM6X2NzcmY; __Host-session=s%3A9f8e7d6c5b4a.Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90Uv1';
group(`Cookie header, ${cookieHeader.length} bytes, 6 cookies`, [
  { name: 'cookie.parse (Express, @fastify/cookie)', run: () => cookie.parse(cookieHeader) },
  { name: 'Rampart parseCookieHeader (bounded, strict)', run: () => parseCookieHeader(cookieHeader) },
]);

// CSRF: issuing a token for a page, and checking a state-changing request.
const secret = 'benchmark-master-secret-0123456789';
const { generateCsrfToken, validateRequest } = doubleCsrf({ getSecret: () => secret, getSessionIdentifier: () => 'session-1', cookieName: '__Host-psifi.x-csrf-token' });
const response = { cookie: () => response } as unknown as Response;
const sessionCookie = '__Host-session=session-1';
const issueRequest = { cookies: {}, headers: { cookie: sessionCookie } } as unknown as Request;
const csrfToken = generateCsrfToken(issueRequest, response, { overwrite: true });
const verifyHeaders = { cookie: `${sessionCookie}; __Host-psifi.x-csrf-token=${encodeURIComponent(csrfToken)}`, 'x-csrf-token': csrfToken };

const rampart = createRampart({ profile: 'production', keyring: new Keyring(secret), log: { level: 'silent' } });
const issued = rampart.csrf.issue(sessionCookie);
const rampartHeaders: Record<string, string> = {
  cookie: `${sessionCookie}; ${(issued.setCookie ?? '').split(';')[0] as string}`,
  'x-csrf-token': issued.token,
  'sec-fetch-site': 'same-origin',
  'content-type': 'application/json',
};
const view: RequestView = { method: 'POST', url: '/account', remoteAddress: '127.0.0.1', encrypted: true, header: (name) => rampartHeaders[name] };
const state = rampart.begin(view);
if (rampart.csrf.gate(state, view) !== undefined) throw new Error('the benchmark request must pass the CSRF gate');

group('CSRF: issue a token for a page', [
  { name: 'csrf-csrf generateCsrfToken', run: () => generateCsrfToken(issueRequest, response, { overwrite: true }) },
  { name: 'Rampart csrf.issue', run: () => rampart.csrf.issue(rampartHeaders['cookie']) },
]);
group('CSRF: check a state-changing request', [
  {
    name: 'csrf-csrf validateRequest (+ cookie.parse)',
    run: () => validateRequest({ method: 'POST', headers: verifyHeaders, cookies: cookie.parse(verifyHeaders.cookie) } as unknown as Request),
  },
  { name: 'Rampart CSRF gate (Fetch Metadata + token)', run: () => rampart.csrf.gate(state, view) },
]);

void rampart.close();
if (sink === Symbol.for('never')) console.log(sink);
