import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { HeaderMap } from './header-map.js';

/**
 * The audit's only way onto the network. It speaks `node:http`/`node:https`
 * directly because the probes need what `fetch` forbids (a `TRACE` request,
 * `Sec-Fetch-*` and `Origin` headers, raw repeated `Set-Cookie` lines), and
 * it enforces the run's safety limits: one host, a request budget, a
 * per-request timeout, a deadline for the whole run and a cap on how much of
 * any response body is read.
 */

export interface ClientOptions {
  /** The origin every request goes to (`https://host:port`); the HTTP redirect probe may also use `httpOrigin`. */
  readonly origin: URL;
  /** The plain-HTTP origin the redirection probe asks; never anything but the target's host. */
  readonly httpOrigin?: URL | undefined;
  readonly maxRequests: number;
  readonly timeoutMs: number;
  /** Absolute `Date.now()` after which no request starts. */
  readonly deadline: number;
  readonly maxBodyBytes: number;
  /** Extra CA certificates to trust (PEM). */
  readonly ca?: string | Buffer | undefined;
  /** Accept any certificate: the HSTS and redirect tests then report the invalid chain. */
  readonly insecure?: boolean;
  /** Sent on every request, e.g. a session cookie for authenticated pages. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly userAgent: string;
  readonly onRequest?: ((event: RequestEvent) => void) | undefined;
}

export interface ProbeRequest {
  readonly method: string;
  /** Path and query on the target origin, or an absolute URL on the same host. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Which probe sent it, for progress lines. */
  readonly probe: string;
}

export interface ProbeResponse {
  readonly url: URL;
  /** `/path?query` on the target's origin, the full URL on any other (the HTTP port, an upgraded scheme). */
  readonly display: string;
  readonly method: string;
  readonly status: number;
  readonly headers: HeaderMap;
  readonly body: string;
  /** True when the body was longer than `maxBodyBytes` and reading stopped. */
  readonly truncated: boolean;
  readonly durationMs: number;
  /** HTTPS only: whether the certificate chain verified (false only with `insecure`). */
  readonly tlsAuthorized?: boolean;
}

export interface RequestEvent {
  readonly probe: string;
  readonly method: string;
  readonly url: string;
  /** As `ProbeResponse.display`. */
  readonly display: string;
  readonly status?: number;
  readonly error?: string;
  readonly durationMs: number;
}

/** Why a request was not sent or got no response: the audit reports it, it never crashes on it. */
export class ProbeError extends Error {
  constructor(
    readonly kind: 'budget' | 'deadline' | 'timeout' | 'network' | 'tls' | 'off-host',
    message: string,
  ) {
    super(message);
    this.name = 'ProbeError';
  }
}

const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|DEPTH_ZERO|UNABLE_TO_GET_ISSUER|HOSTNAME|ALTNAME/;

export class ProbeClient {
  readonly #options: ClientOptions;
  // One connection per request: a reused socket the server closed meanwhile would fail a probe for nothing.
  readonly #httpAgent = new HttpAgent({ keepAlive: false, maxSockets: 1 });
  readonly #httpsAgent: HttpsAgent;
  #sent = 0;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.#httpsAgent = new HttpsAgent({
      keepAlive: false,
      maxSockets: 1,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      rejectUnauthorized: options.insecure !== true,
    });
  }

  get sent(): number {
    return this.#sent;
  }

  get remaining(): number {
    return this.#options.maxRequests - this.#sent;
  }

  /** Resolves the probe's path against the target; refuses any other host. */
  resolve(path: string): URL {
    const url = new URL(path, this.#options.origin);
    const sameHost = url.hostname === this.#options.origin.hostname;
    if (!sameHost || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ProbeError('off-host', `refusing to send a request to ${url.origin}: the audit only talks to ${this.#options.origin.hostname}`);
    }
    return url;
  }

  async send(probe: ProbeRequest): Promise<ProbeResponse> {
    const url = this.resolve(probe.path);
    if (this.#sent >= this.#options.maxRequests) {
      throw new ProbeError('budget', `request budget of ${this.#options.maxRequests} spent`);
    }
    if (Date.now() >= this.#options.deadline) throw new ProbeError('deadline', 'the run deadline passed');
    this.#sent++;
    const started = performance.now();
    try {
      const response = await this.#exchange(url, probe);
      this.#options.onRequest?.({ probe: probe.probe, method: probe.method, url: url.href, display: response.display, status: response.status, durationMs: response.durationMs });
      return response;
    } catch (error) {
      const failure = toProbeError(error, this.#options.timeoutMs);
      this.#options.onRequest?.({ probe: probe.probe, method: probe.method, url: url.href, display: this.#display(url), error: failure.message, durationMs: Math.round(performance.now() - started) });
      throw failure;
    }
  }

  #exchange(url: URL, probe: ProbeRequest): Promise<ProbeResponse> {
    const secure = url.protocol === 'https:';
    const headers: OutgoingHttpHeaders = { 'user-agent': this.#options.userAgent, accept: '*/*', ...this.#options.headers, ...probe.headers };
    if (probe.body !== undefined) headers['content-length'] = Buffer.byteLength(probe.body);
    const started = performance.now();
    const timeoutMs = Math.max(1, Math.min(this.#options.timeoutMs, this.#options.deadline - Date.now()));
    return new Promise<ProbeResponse>((resolve, reject) => {
      let answered = false;
      const request = (secure ? httpsRequest : httpRequest)(url, {
        method: probe.method,
        headers,
        agent: secure ? this.#httpsAgent : this.#httpAgent,
        timeout: timeoutMs,
      });
      const timer = setTimeout(() => request.destroy(new ProbeError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      request.once('timeout', () => request.destroy(new ProbeError('timeout', `no answer within ${timeoutMs} ms`)));
      request.once('error', (error) => {
        clearTimeout(timer);
        // A server may answer (413) and close before the whole body is sent:
        // the answer counts, the write error after it does not.
        if (!answered) reject(error);
      });
      request.once('response', (response: IncomingMessage) => {
        answered = true;
        const authorized = secure ? (response.socket as TLSSocket | null)?.authorized === true : undefined;
        readCapped(response, this.#options.maxBodyBytes).then(
          ({ body, truncated }) => {
            clearTimeout(timer);
            resolve({
              url,
              display: this.#display(url),
              method: probe.method,
              status: response.statusCode ?? 0,
              headers: HeaderMap.fromRaw(response.rawHeaders),
              body,
              truncated,
              durationMs: Math.round(performance.now() - started),
              ...(authorized === undefined ? {} : { tlsAuthorized: authorized }),
            });
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
      if (probe.body === undefined) request.end();
      else request.end(probe.body);
    });
  }

  #display(url: URL): string {
    return url.origin === this.#options.origin.origin ? `${url.pathname}${url.search}` : url.href;
  }

  /** Releases the agents' sockets. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}

function readCapped(response: IncomingMessage, maxBytes: number): Promise<{ body: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean): void => {
      if (done) return;
      done = true;
      resolve({ body: Buffer.concat(chunks).toString('utf8'), truncated });
    };
    response.on('data', (chunk: Buffer) => {
      if (done) return;
      const room = maxBytes - size;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        size = maxBytes;
        finish(true);
        // Stop reading: a huge or endless body must not hold the audit.
        response.destroy();
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    response.once('end', () => finish(false));
    response.once('aborted', () => finish(true));
    response.once('error', (error) => (done ? undefined : reject(error)));
    response.once('close', () => finish(!response.complete));
  });
}

function toProbeError(error: unknown, timeoutMs: number): ProbeError {
  if (error instanceof ProbeError) return error;
  const code = (error as { code?: unknown }).code;
  const text = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && TLS_ERRORS.test(code)) return new ProbeError('tls', `TLS certificate not trusted (${code})`);
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') {
    return new ProbeError('network', text);
  }
  if (text.includes('timeout')) return new ProbeError('timeout', `no answer within ${timeoutMs} ms`);
  return new ProbeError('network', text);
}
