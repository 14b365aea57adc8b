import { Agent, request } from 'node:http';

/**
 * A bounded HTTP load for the fault and flood scenarios: `concurrency`
 * keep-alive clients on loopback, each sending its next request when the
 * previous one is answered, until stopped, `maxRequests` are sent or `maxMs`
 * pass. Every request is recorded with its start time, latency and outcome,
 * so a scenario can slice the samples by phase (before, during and after a
 * fault).
 */

export interface RequestSpec {
  readonly path: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface Sample {
  /** The request's method and path, as sent. */
  readonly method: string;
  readonly path: string;
  /** `performance.now()` when the request was sent. */
  readonly at: number;
  readonly ms: number;
  /** The HTTP status, or 0 when the request failed without one (refused, reset, timed out). */
  readonly status: number;
  readonly contentType: string;
  /** The problem's `code` for problem+json answers. */
  readonly code: string | undefined;
  /** Why a request got no answer. */
  readonly error: string | undefined;
  /** The response header named by `keepHeader` (repeated values joined by newlines). */
  readonly header: string | undefined;
}

export interface LoadOptions {
  /** Where plain-HTTP requests go; ignored when `sender` is given. */
  readonly port: number;
  /** Sends one request another way (HTTPS through nginx, …); resolves with its sample, never rejects. */
  readonly sender?: (spec: RequestSpec) => Promise<Sample>;
  readonly concurrency: number;
  readonly maxRequests: number;
  readonly maxMs: number;
  /** Pause between one client's requests. Default 0. */
  readonly pauseMs?: number;
  /** A request taking longer than this counts as failed ('timeout'). Default 10000. */
  readonly timeoutMs?: number;
  /** The n-th request. */
  readonly next: (n: number) => RequestSpec;
  /** A response header to record in `Sample.header`. */
  readonly keepHeader?: string;
  /** Source address; default the OS's choice (127.0.0.1). */
  readonly localAddress?: string;
}

export interface Load {
  readonly sent: number;
  readonly samples: readonly Sample[];
  /** Stops sending, waits for the answers in flight, and returns every sample. */
  stop(): Promise<Sample[]>;
  /** Resolves once the load ended by itself (count or time bound). */
  readonly done: Promise<Sample[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One request over `agent`; never rejects. */
export function send(port: number, spec: RequestSpec, agent: Agent | false, options: { timeoutMs?: number; keepHeader?: string; localAddress?: string } = {}): Promise<Sample & { body: string }> {
  const at = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number, contentType: string, body: string, error: string | undefined, header: string | undefined): void => {
      if (settled) return;
      settled = true;
      let code: string | undefined;
      if (contentType.includes('problem+json')) {
        try {
          code = String((JSON.parse(body) as { code?: unknown }).code);
        } catch {
          code = 'UNPARSABLE_PROBLEM';
        }
      }
      resolve({ method: spec.method ?? 'GET', path: spec.path, at, ms: performance.now() - at, status, contentType, code, error, header, body });
    };
    const headers: Record<string, string> = { ...spec.headers };
    if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));
    const req = request(
      { host: '127.0.0.1', port, path: spec.path, method: spec.method ?? 'GET', headers, agent, ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => finish(res.statusCode ?? 0, String(res.headers['content-type'] ?? ''), body, undefined, options.keepHeader === undefined ? undefined : headerText(res.headers[options.keepHeader])));
        res.on('error', (error: NodeJS.ErrnoException) => finish(0, '', '', `${error.code ?? error.message} mid-response`, undefined));
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => finish(0, '', '', error.code ?? error.message, undefined));
    req.end(spec.body);
  });
}

/** A repeated header's values joined by newlines, which no header value contains (Set-Cookie values hold commas). */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('\n') : value;
}

export function startLoad(options: LoadOptions): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const samples: Sample[] = [];
  const deadline = performance.now() + options.maxMs;
  let stopped = false;
  let sent = 0;
  const client = async (): Promise<void> => {
    while (!stopped && sent < options.maxRequests && performance.now() < deadline) {
      const spec = options.next(sent++);
      if (options.sender === undefined) {
        const { body: _body, ...sample } = await send(options.port, spec, agent, options);
        samples.push(sample);
      } else {
        samples.push(await options.sender(spec));
      }
      if (options.pauseMs !== undefined && options.pauseMs > 0) await sleep(options.pauseMs);
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, client)).then(() => {
    agent.destroy();
    return samples;
  });
  return {
    get sent() {
      return sent;
    },
    samples,
    done,
    stop() {
      stopped = true;
      return done;
    },
  };
}

export interface Summary {
  readonly sent: number;
  /** 2xx and 3xx. */
  readonly ok: number;
  /** No answer at all: refused, reset, timed out. */
  readonly noAnswer: number;
  /** 5xx other than 503: what a fault must never produce. */
  readonly serverErrors: number;
  /** 503 answers (a deliberate "not now"). */
  readonly unavailable: number;
  readonly maxMs: number;
  readonly p99Ms: number;
  /** Count per status ("no answer (ECONNRESET)" for none). */
  readonly statuses: Record<string, number>;
}

/** Counts and latencies of `samples` (optionally only those sent in [from, to)). */
export function summarize(samples: readonly Sample[], window: { from?: number; to?: number } = {}): Summary {
  const picked = samples.filter((sample) => sample.at >= (window.from ?? -Infinity) && sample.at < (window.to ?? Infinity));
  const latencies = picked.map((sample) => sample.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const sample of picked) {
    const key = sample.status === 0 ? `no answer (${sample.error})` : String(sample.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    sent: picked.length,
    ok: picked.filter((sample) => sample.status >= 200 && sample.status < 400).length,
    noAnswer: picked.filter((sample) => sample.status === 0).length,
    serverErrors: picked.filter((sample) => sample.status >= 500 && sample.status !== 503).length,
    unavailable: picked.filter((sample) => sample.status === 503).length,
    maxMs: latencies.at(-1) ?? 0,
    p99Ms: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0,
    statuses,
  };
}

/** Whole milliseconds, as a figure. */
export const ms = (value: number): string => `${Math.round(value)} ms`;
/** Seconds with one decimal, as a figure. */
export const seconds = (valueMs: number): string => `${(valueMs / 1000).toFixed(1)} s`;
/** Mebibytes with one decimal, as a figure. */
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
