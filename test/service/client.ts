import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A browser-like client over `app.inject()`: keeps the cookies it is sent
 * and, like a same-origin page, sends `Sec-Fetch-Site: same-origin` and the
 * CSRF token it fetched. `bearer` makes it a programmatic client instead
 * (no cookies at all).
 */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  bearer: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    private readonly ip = '127.0.0.1',
  ) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const all: Record<string, string> = { 'sec-fetch-site': 'same-origin', ...headers };
    if (this.bearer !== undefined) all['authorization'] = `Bearer ${this.bearer}`;
    else if (this.cookies.size > 0) all['cookie'] = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (this.csrf !== undefined && this.bearer === undefined && method !== 'GET') all['x-csrf-token'] = this.csrf;
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      all['content-type'] ??= 'application/json';
    }
    const response: LightMyRequestResponse = await this.app.inject({ method: method as 'GET', url, headers: all, remoteAddress: this.ip, ...(payload === undefined ? {} : { payload }) });
    for (const cookie of [response.headers['set-cookie'] ?? []].flat()) {
      const [pair = ''] = String(cookie).split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (/max-age=0/i.test(String(cookie))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
    return { status: response.statusCode, headers: response.headers, body: response.body, json: <T>() => JSON.parse(response.body) as T };
  }

  /** Fetches a CSRF token bound to the current cookies, as a page script would. */
  async refreshCsrf(): Promise<void> {
    this.csrf = (await this.request('GET', '/api/auth/csrf')).json<{ token: string }>().token;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', url, body, headers);
  patch = (url: string, body?: unknown) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);
}

export const PASSWORD = 'correct horse battery staple';
