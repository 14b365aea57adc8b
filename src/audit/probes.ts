import { randomBytes } from 'node:crypto';
import { ProbeError, type ProbeClient, type ProbeRequest, type ProbeResponse } from './http/client.js';
import { MAX_REDIRECTS, type ResolvedOptions } from './options.js';
import type { RedirectionObservation } from './observatory/tests.js';

/** One probe's request and what came of it. */
export interface Exchange {
  /** `GET /path`, as reports show it. */
  readonly label: string;
  readonly response?: ProbeResponse;
  readonly error?: ProbeError;
}

export interface RateLimitRun {
  readonly path: string;
  readonly method: string;
  readonly limit: number;
  readonly sent: number;
  /** The first 429, if one came. */
  readonly limited?: ProbeResponse;
  /** The last response before the 429 or the end of the run. */
  readonly last?: ProbeResponse;
  readonly statuses: Readonly<Record<string, number>>;
  readonly stoppedBy?: string;
}

/** Everything the probes saw; the checks and the Observatory tests read only this. */
export interface Observations {
  readonly target: URL;
  /** The page graded: the target after same-host redirects. */
  readonly page: ProbeResponse;
  readonly startChain: readonly Exchange[];
  readonly secure: boolean;
  readonly certificateValid: boolean;
  readonly redirection: RedirectionObservation;
  readonly httpRedirect: readonly Exchange[];
  readonly pages: readonly Exchange[];
  readonly corsOrigin: string;
  readonly cors: Exchange | undefined;
  readonly corsNull: Exchange | undefined;
  readonly corsPreflight: Exchange | undefined;
  readonly notFound: (Exchange & { readonly requestId: string }) | undefined;
  readonly malformedJson: Exchange | undefined;
  readonly oversized: (Exchange & { readonly bytes: number }) | undefined;
  readonly unsupportedMethod: Exchange | undefined;
  readonly trace: (Exchange & { readonly marker: string }) | undefined;
  readonly liveness: readonly Exchange[];
  readonly readiness: readonly Exchange[];
  readonly metrics: Exchange | undefined;
  readonly csrf: readonly Exchange[];
  readonly csrfOrigin: string;
  readonly rateLimit: RateLimitRun | undefined;
  /** Every response, in order. */
  readonly responses: readonly ProbeResponse[];
}

/** The target could not be audited at all (unreachable, untrusted certificate): exit code 3. */
export class AuditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditError';
  }
}

/** RFC 2606 reserves `.invalid`: no real site can ever be this origin. */
export const FOREIGN_ORIGIN = 'https://attacker.rampart-audit.invalid';
const REDIRECT = new Set([301, 302, 303, 307, 308]);

export async function runProbes(client: ProbeClient, options: ResolvedOptions): Promise<Observations> {
  const responses: ProbeResponse[] = [];
  const jar = new Map<string, string>();
  const startPath = `${options.url.pathname}${options.url.search}`;

  const send = async (request: ProbeRequest): Promise<Exchange> => {
    const label = `${request.method} ${displayPath(request.path, options.url)}`;
    try {
      const response = await client.send(request);
      responses.push(response);
      remember(jar, response);
      return { label, response };
    } catch (error) {
      if (error instanceof ProbeError) return { label, error };
      throw error;
    }
  };

  // 1. The start page, following redirects on the same host only.
  const startChain = await follow(send, 'start', options.url.href, client);
  const lastStart = startChain.at(-1) as Exchange;
  if (lastStart.response === undefined) {
    const error = lastStart.error as ProbeError;
    const hint = error.kind === 'tls' ? ' (trust its CA with --ca <file>, or pass --insecure to grade it as an invalid certificate)' : '';
    throw new AuditError(`cannot audit ${options.url.href}: ${error.message}${hint}`);
  }
  const page = lastStart.response;
  const secure = page.url.protocol === 'https:';
  // Later probes ask the page that was graded, on the origin it was served from
  // (an http:// target that redirects to https:// is audited on https://).
  const at = (path: string): string => new URL(path, page.url.origin).href;
  const pagePath = page.url.href;
  const certificateValid = !secure || page.tlsAuthorized !== false;

  // 2. HTTP → HTTPS: for an https:// target ask its plain-HTTP port; for an http:// target the start chain already shows it.
  let redirection: RedirectionObservation;
  let httpRedirect: Exchange[] = [];
  if (options.url.protocol === 'https:') {
    if (options.httpOrigin === undefined) redirection = { kind: 'https-target-no-http' };
    else {
      const from = new URL(startPath, options.httpOrigin);
      httpRedirect = await follow(send, 'http-redirect', from.href, client);
      redirection = redirectionFrom(from, httpRedirect, true);
    }
  } else {
    redirection = redirectionFrom(options.url, startChain, false);
  }

  const pages: Exchange[] = [];
  for (const path of options.pages) pages.push(await send({ probe: 'page', method: 'GET', path: at(path) }));

  // 3. CORS from an origin nobody lists, and from `null` (sandboxed frames, file: pages).
  const cors = await send({ probe: 'cors', method: 'GET', path: pagePath, headers: { origin: FOREIGN_ORIGIN } });
  const corsNull = await send({ probe: 'cors-null', method: 'GET', path: pagePath, headers: { origin: 'null' } });
  const corsPreflight = await send({
    probe: 'cors-preflight',
    method: 'OPTIONS',
    path: pagePath,
    headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });

  // 4. Error pages.
  const token = randomBytes(6).toString('hex');
  const requestId = `rampart-audit-${token}`;
  const notFound = { ...(await send({ probe: 'not-found', method: 'GET', path: at(`/rampart-audit-${token}`), headers: { 'x-request-id': requestId } })), requestId };
  // Sent as the site's own page would send them, so a CSRF defence lets them through to the body parser.
  const sameOrigin = { 'content-type': 'application/json', origin: page.url.origin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
  const malformedJson = await send({ probe: 'malformed-json', method: 'POST', path: at(options.jsonPath), headers: sameOrigin, body: '{"rampart-audit": ' });
  const oversizedBody = Buffer.alloc(options.oversizedBytes, 0x61);
  oversizedBody.write('{"pad":"', 0);
  oversizedBody.write('"}', options.oversizedBytes - 2);
  const oversized = { ...(await send({ probe: 'oversized-body', method: 'POST', path: at(options.jsonPath), headers: sameOrigin, body: oversizedBody })), bytes: options.oversizedBytes };
  const unsupportedMethod = await send({ probe: 'unsupported-method', method: 'PROPFIND', path: pagePath });
  const marker = `rampart-audit-trace-${token}`;
  const trace = { ...(await send({ probe: 'trace', method: 'TRACE', path: pagePath, headers: { 'x-rampart-audit': marker } })), marker };

  // 5. Operations endpoints: the first path that answers other than 404 wins.
  const liveness = await firstAnswering(send, 'liveness', options.livenessPaths.map(at));
  const readiness = await firstAnswering(send, 'readiness', options.readinessPaths.map(at));
  const metrics = options.metricsPath === false ? undefined : await send({ probe: 'metrics', method: 'GET', path: at(options.metricsPath), headers: { accept: 'text/plain' } });

  // 6. CSRF: a form post as a browser sends it from another site, with the cookies the audit holds.
  const csrfOrigin = FOREIGN_ORIGIN;
  const csrf: Exchange[] = [];
  for (const path of options.csrfPaths) {
    csrf.push(
      await send({
        probe: 'csrf',
        method: options.csrfMethod,
        path: at(path),
        headers: {
          origin: csrfOrigin,
          referer: `${csrfOrigin}/`,
          'sec-fetch-site': 'cross-site',
          'sec-fetch-mode': 'navigate',
          'sec-fetch-dest': 'document',
          'content-type': 'application/x-www-form-urlencoded',
          ...cookieHeader(jar, options.headers),
        },
        body: 'rampart_audit=csrf-probe',
      }),
    );
  }

  const rateLimit = options.rateLimit === undefined ? undefined : await probeRateLimit(client, { ...options.rateLimit, path: at(options.rateLimit.path) }, responses);

  return {
    target: options.url,
    page,
    startChain,
    secure,
    certificateValid,
    redirection,
    httpRedirect,
    pages,
    corsOrigin: FOREIGN_ORIGIN,
    cors,
    corsNull,
    corsPreflight,
    notFound,
    malformedJson,
    oversized,
    unsupportedMethod,
    trace,
    liveness,
    readiness,
    metrics,
    csrf,
    csrfOrigin,
    rateLimit,
    responses,
  };
}

type Send = (request: ProbeRequest) => Promise<Exchange>;

/** A path on the target's origin as `/path`, anything else (the HTTP port, the upgraded origin) in full. */
export function displayPath(path: string, target: URL): string {
  const url = new URL(path, target);
  return url.origin === target.origin ? `${url.pathname}${url.search}` : url.href;
}

/** GET `url`, then each same-host `Location`, at most `MAX_REDIRECTS` times. */
async function follow(send: Send, probe: string, url: string, client: ProbeClient): Promise<Exchange[]> {
  const chain: Exchange[] = [];
  let next = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const exchange = await send({ probe, method: 'GET', path: next });
    chain.push(exchange);
    const response = exchange.response;
    const location = response?.headers.get('location');
    if (response === undefined || !REDIRECT.has(response.status) || location === undefined) break;
    let target: URL;
    try {
      target = new URL(location, response.url);
      client.resolve(target.href);
    } catch {
      break; // off-host or unparsable: graded from what was seen, never followed
    }
    next = target.href;
  }
  return chain;
}

function redirectionFrom(from: URL, chain: readonly Exchange[], httpsTarget: boolean): RedirectionObservation {
  const first = chain[0];
  if (first?.response === undefined) {
    if (first?.error?.kind === 'tls') return { kind: 'invalid-cert' };
    return httpsTarget ? { kind: 'https-target-no-http' } : { kind: 'no-redirect' };
  }
  const hops: URL[] = [];
  for (const exchange of chain) {
    const location = exchange.response?.headers.get('location');
    if (exchange.response === undefined || !REDIRECT.has(exchange.response.status) || location === undefined) break;
    try {
      hops.push(new URL(location, exchange.response.url));
    } catch {
      break;
    }
  }
  // With --insecure the chain is followed anyway; the rubric still grades an untrusted certificate on the way.
  if (chain.some((exchange) => exchange.error?.kind === 'tls' || exchange.response?.tlsAuthorized === false)) return { kind: 'invalid-cert' };
  return hops.length === 0 ? { kind: 'no-redirect' } : { kind: 'redirects', from, hops };
}

async function firstAnswering(send: Send, probe: string, paths: readonly string[]): Promise<Exchange[]> {
  const tried: Exchange[] = [];
  for (const path of paths) {
    const exchange = await send({ probe, method: 'GET', path, headers: { accept: 'application/health+json, application/json;q=0.9, */*;q=0.1' } });
    tried.push(exchange);
    if (exchange.response !== undefined && exchange.response.status !== 404) break;
  }
  return tried;
}

function remember(jar: Map<string, string>, response: ProbeResponse): void {
  for (const line of response.headers.all('set-cookie')) {
    const pair = line.split(';', 1)[0] ?? '';
    const equals = pair.indexOf('=');
    if (equals > 0) jar.set(pair.slice(0, equals).trim(), pair.slice(equals + 1).trim());
  }
}

function cookieHeader(jar: ReadonlyMap<string, string>, headers: Readonly<Record<string, string>>): Record<string, string> {
  const given = Object.entries(headers).find(([name]) => name.toLowerCase() === 'cookie')?.[1];
  const pairs = [...jar].map(([name, value]) => `${name}=${value}`);
  if (given !== undefined) pairs.unshift(given);
  return pairs.length === 0 ? {} : { cookie: pairs.join('; ') };
}

async function probeRateLimit(client: ProbeClient, rateLimit: NonNullable<ResolvedOptions['rateLimit']>, responses: ProbeResponse[]): Promise<RateLimitRun> {
  const statuses: Record<string, number> = {};
  let last: ProbeResponse | undefined;
  let sent = 0;
  let stoppedBy: string | undefined;
  const body = rateLimit.method === 'POST' ? (rateLimit.body ?? '{}') : undefined;
  while (sent < rateLimit.requests) {
    let response: ProbeResponse;
    try {
      sent++;
      response = await client.send({
        probe: 'rate-limit',
        method: rateLimit.method,
        path: rateLimit.path,
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error;
      stoppedBy = error.message;
      break;
    }
    responses.push(response);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status === 429) return { path: rateLimit.path, method: rateLimit.method, limit: rateLimit.requests, sent, limited: response, ...(last === undefined ? {} : { last }), statuses };
    last = response;
  }
  return { path: rateLimit.path, method: rateLimit.method, limit: rateLimit.requests, sent, ...(last === undefined ? {} : { last }), statuses, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
}
