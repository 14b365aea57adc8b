import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { send } from './load.js';

/**
 * Plain-HTTP calls to one reference-service instance on loopback, for the
 * scenarios that set up accounts before a fault. `clientIp` is sent as
 * `X-Forwarded-For`, which an instance believes only when its TRUST_PROXY
 * covers 127.0.0.1 (as behind nginx); otherwise it is ignored.
 */
export const PASSWORD = 'correct horse battery staple';

export interface Reply {
  readonly status: number;
  readonly body: string;
  /** Each Set-Cookie header's `name=value`. */
  readonly cookies: string[];
  json<T = Record<string, unknown>>(): T;
}

export async function call(port: number, method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; clientIp?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.clientIp !== undefined) headers['x-forwarded-for'] = options.clientIp;
  const answer = await send(port, { path, method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) }, false, { keepHeader: 'set-cookie' });
  const cookies = (answer.header ?? '').split('\n').filter((line) => line !== '').map((line) => line.split(';')[0] as string);
  return { status: answer.status, body: answer.body, cookies, json: <T>() => JSON.parse(answer.body) as T };
}

export const uniqueEmail = (label: string): string => `${label}-${randomUUID().slice(0, 8)}@example.test`;

/** Registers an account and issues it a bearer token; two requests on the `auth` rule. */
export async function accountWithToken(port: number, label: string, clientIp?: string): Promise<{ email: string; token: string }> {
  const email = uniqueEmail(label);
  const registered = await call(port, 'POST', '/api/auth/register', { body: { email, password: PASSWORD }, ...(clientIp === undefined ? {} : { clientIp }) });
  assert.equal(registered.status, 201, registered.body);
  const issued = await call(port, 'POST', '/api/auth/tokens', { body: { email, password: PASSWORD, name: label }, ...(clientIp === undefined ? {} : { clientIp }) });
  assert.equal(issued.status, 201, issued.body);
  return { email, token: issued.json<{ token: string }>().token };
}
