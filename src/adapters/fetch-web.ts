import type { Answer, HeaderOps, Rampart, RequestState, RequestView } from '../index.js';

// The Web-standard side of the fetch adapter: reading a `Request`, writing
// Rampart's headers onto a `Response`.

/** A `RequestView` over a Web `Request`: no parsing beyond finding the path. */
export class FetchRequestView implements RequestView {
  readonly method: string;
  readonly url: string;
  readonly encrypted: boolean;
  readonly #headers: Headers;
  readonly #href: string;

  constructor(
    request: Request,
    readonly remoteAddress: string | undefined,
  ) {
    this.method = request.method;
    const href = request.url;
    const pathStart = href.indexOf('/', href.indexOf('//') + 2);
    this.url = pathStart === -1 ? '/' : href.slice(pathStart);
    this.encrypted = href.startsWith('https:');
    this.#headers = request.headers;
    this.#href = href;
  }

  header(name: string): string | undefined {
    const value = this.#headers.get(name);
    if (value !== null) return value;
    // A Request built in code (tests, edge runtimes) often has no Host header: its URL names the host.
    return name === 'host' ? this.#hostOfUrl() : undefined;
  }

  #hostOfUrl(): string | undefined {
    const href = this.#href;
    const start = href.indexOf('//') + 2;
    const end = href.indexOf('/', start);
    return start < 2 ? undefined : href.slice(start, end === -1 ? undefined : end);
  }
}

/**
 * A response's headers plus a snapshot of what they hold. Each `Headers` call
 * validates its arguments (WebIDL), so reading through one snapshot instead
 * of a `get()` per header saves about a dozen of them per response.
 */
interface HeaderTarget {
  readonly headers: Headers;
  readonly present: Map<string, string>;
}

const HEADER_OPS: HeaderOps<HeaderTarget> = {
  get: (target, name) => target.present.get(name),
  set: (target, name, value) => {
    target.headers.set(name, value);
    target.present.set(name, value);
  },
  remove: (target, name) => {
    target.headers.delete(name);
    target.present.delete(name);
  },
  append: (target, name, value) => target.headers.append(name, value),
};

function applyTo(core: Rampart, state: RequestState, headers: Headers): void {
  core.applyHeaders(state, { headers, present: new Map(headers) }, HEADER_OPS);
}

export const toResponse = (answer: Answer): Response => new Response(answer.body === '' ? null : answer.body, { status: answer.status, headers: answer.headers });

/**
 * Adds Rampart's headers without overwriting the handler's. Responses with
 * immutable headers (`Response.redirect()`, a proxied `fetch()` response)
 * are re-wrapped around the same body stream rather than mutated.
 */
export function withHeaders(core: Rampart, state: RequestState, response: Response): Response {
  try {
    applyTo(core, state, response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    applyTo(core, state, copy.headers);
    return copy;
  }
}
