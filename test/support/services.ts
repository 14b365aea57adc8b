import { Socket } from 'node:net';
import type { TestContext } from 'node:test';

/** Addresses of the real services integration tests use; override with the usual variables. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const reachable = new Map<string, Promise<boolean>>();

function probe(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => done(true));
  });
}

/**
 * Skips the test, loudly, when the service at `url` is unreachable — except
 * under CI=true, where an unreachable service fails the run instead of
 * silently passing it.
 */
export async function requireService(t: TestContext, name: string, url: string): Promise<boolean> {
  let check = reachable.get(url);
  if (check === undefined) {
    check = probe(url);
    reachable.set(url, check);
  }
  if (await check) return true;
  const message = `${name} is not reachable at ${new URL(url).host}: start it or set the URL variable`;
  if (process.env['CI'] === 'true') throw new Error(`${message} (CI=true: integration tests may not skip)`);
  console.warn(`\n!!! SKIPPED: ${message}\n`);
  t.skip(message);
  return false;
}

export const requireRedis = (t: TestContext): Promise<boolean> => requireService(t, 'Redis', REDIS_URL);
export const requirePostgres = (t: TestContext): Promise<boolean> => requireService(t, 'PostgreSQL', DATABASE_URL);
