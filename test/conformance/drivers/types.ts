import type { RampartOptions } from 'rampart';

export interface TestRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface TestResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface TestApp {
  request(request: TestRequest): Promise<TestResponse>;
  close(): Promise<void>;
  /**
   * The app on a loopback port, for tests that write raw bytes on the wire
   * (what no client library will send). Only drivers over a Node server have it.
   */
  listen?(): Promise<number>;
}

/**
 * One per adapter. `create` builds an app hardened with `options` that serves
 * the routes in `routes.ts`, the same on every framework.
 */
export interface AdapterDriver {
  readonly name: string;
  /** Serves on a Node socket, so tests can write raw request lines to it (`TestApp.listen`). */
  readonly onSocket: boolean;
  create(options: RampartOptions): Promise<TestApp>;
}

/** A Web `Headers` as a record, keeping every Set-Cookie (iteration would keep only the last). */
export function fetchHeaders(headers: Headers): Record<string, unknown> {
  const cookies = headers.getSetCookie();
  return cookies.length === 0 ? Object.fromEntries(headers) : { ...Object.fromEntries(headers), 'set-cookie': cookies };
}

export function toTestResponse(status: number, headers: Record<string, unknown>, body: string): TestResponse {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return { status, headers: flat, body, json: <T>() => JSON.parse(body) as T };
}
