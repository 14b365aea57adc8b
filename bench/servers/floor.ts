// The least any library can spend on what Rampart's benchmark runs with: the
// same security headers set statically, a fresh request id, an
// AsyncLocalStorage context around the handler, and one JSON access line per
// request, batched to a file. Hand-written with no options, no checks and no
// other features, it is the floor under every "… + rampart" target: a ratio
// the floor itself cannot reach is out of reach for the platform, not for
// the library.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { API_CSP, compileSecurityHeaders } from '../../src/headers/security-headers.js';

/** Rampart's production headers for a JSON response over HTTP, taken from the same table Rampart compiles. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = { ...compileSecurityHeaders().preset.http, 'content-security-policy': API_CSP };

export interface FloorRequest {
  readonly id: string;
  readonly startedAt: number;
}

export const context = new AsyncLocalStorage<FloorRequest>();

export function newRequest(): FloorRequest {
  return { id: randomUUID(), startedAt: performance.now() };
}

/** One JSON line per request, gathered for 20 ms and written to `file` in one call, as Rampart's logger does. */
export function accessLog(file: string): (request: FloorRequest, method: string, path: string, status: number) => void {
  const destination = pino.destination({ dest: file, sync: false, mkdir: true });
  let pending = '';
  setInterval(() => {
    if (pending === '') return;
    destination.write(pending);
    pending = '';
  }, 20).unref();
  return (request, method, path, status) => {
    const durationMs = Math.round((performance.now() - request.startedAt) * 100) / 100;
    pending += `{"level":"info","time":${Date.now()},"reqId":"${request.id}","method":"${method}","path":${JSON.stringify(path)},"status":${status},"durationMs":${durationMs},"msg":"request completed"}\n`;
  };
}
