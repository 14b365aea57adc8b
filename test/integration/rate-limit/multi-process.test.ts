import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { REDIS_URL, requireRedis } from '../../support/services.js';
import { deletePrefix, uniquePrefix } from './redis-helpers.js';

const SERVER = fileURLToPath(new URL('./fixtures/limited-server.ts', import.meta.url));
const LIMIT = 25;
const PER_INSTANCE = 20;

function startInstance(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SERVER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('instance did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /^PORT (\d+)$/.exec(line);
      if (match === null) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]) });
    });
  });
}

/**
 * Three processes of one Fastify service share the shared Redis (under a
 * key prefix of their own). A burst of concurrent requests from one client,
 * spread over all three, is admitted exactly up to the limit.
 */
describe('rate limiting across three processes sharing Redis', () => {
  const prefix = uniquePrefix('multi');
  const instances: { child: ChildProcess; port: number }[] = [];
  let reachable = true;

  before(async () => {
    const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    probe.on('error', () => undefined);
    reachable = await probe.connect().then(
      () => true,
      () => false,
    );
    probe.disconnect();
    if (!reachable) return;
    const env = { REDIS_URL, RL_PREFIX: prefix, RL_LIMIT: String(LIMIT), RL_SECRET: randomBytes(24).toString('base64url') };
    instances.push(...(await Promise.all([startInstance(env), startInstance(env), startInstance(env)])));
  });

  after(async () => {
    await Promise.all(
      instances.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    if (!reachable) return;
    const client = new Redis(REDIS_URL);
    await deletePrefix(client, prefix);
    client.disconnect();
  });

  async function burst(client: string, perInstance: number): Promise<{ status: number; pid: number | undefined }[]> {
    const requests = instances.flatMap(({ port }) =>
      Array.from({ length: perInstance }, () =>
        fetch(`http://127.0.0.1:${port}/work`, { headers: { 'x-forwarded-for': client }, signal: AbortSignal.timeout(10_000) }).then(async (response) => {
          const body = (await response.json()) as { pid?: number };
          return { status: response.status, pid: body.pid };
        }),
      ),
    );
    return Promise.all(requests);
  }

  it('never admits more than the limit, whichever instance a request reaches', async (t) => {
    if (!(await requireRedis(t))) return;
    const results = await burst('203.0.113.10', PER_INSTANCE);
    assert.equal(results.length, 3 * PER_INSTANCE);
    const admitted = results.filter((result) => result.status === 200);
    assert.equal(admitted.length, LIMIT, `exactly ${LIMIT} of ${results.length} admitted`);
    assert.equal(results.filter((result) => result.status === 429).length, 3 * PER_INSTANCE - LIMIT);
    assert.ok(new Set(admitted.map((result) => result.pid)).size >= 2, 'admissions came from more than one instance');
    // Later requests from the same client are rejected by every instance.
    const again = await burst('203.0.113.10', 2);
    assert.ok(again.every((result) => result.status === 429));
  });

  it('a second client is unaffected by the first one', async (t) => {
    if (!(await requireRedis(t))) return;
    const results = await burst('203.0.113.11', 3);
    assert.deepEqual(
      results.map((result) => result.status),
      Array(9).fill(200),
    );
  });
});
