import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, productionEnv, ServiceInstance, waitFor } from '../integration/deploy/stack.js';
import { recordFigures } from './figures.js';
import { mib, ms } from './load.js';

/**
 * A thousand clients at once on loopback, each on its own connection, against
 * the reference service in production mode (its real pipeline: request ids,
 * security headers, rate-limit gate, overload shedding on, access log).
 * Every request is answered 200; then every connection, still open, is
 * reused for a second request.
 */
const CONNECTIONS = 1000;
/** Sockets on both ends live in this process and its child: client + server + slack. */
const NEEDED_FILES = CONNECTIONS * 2 + 512;

function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((entry) => entry.startsWith('Max open files'));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

/** `ulimit -n` for this process (and so its children), raised with prlimit when it is too low. */
function ensureOpenFiles(needed: number): number {
  if (openFilesLimit() < needed) {
    try {
      execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${needed}:${needed}`], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`ulimit -n is ${openFilesLimit()}, below the ${needed} this scenario needs, and prlimit could not raise it`, { cause: error });
    }
  }
  return openFilesLimit();
}

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly localPort: number;
  readonly reused: boolean;
  readonly error?: string;
}

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, localPort: req.socket?.localPort ?? 0, reused: req.reusedSocket }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - started, localPort: 0, reused: req.reusedSocket, error: error.code ?? error.message }));
    req.end();
  });
}

describe(`${CONNECTIONS} concurrent connections on loopback`, () => {
  let dir: string;
  let instance: ServiceInstance;

  before(async () => {
    ensureOpenFiles(NEEDED_FILES);
    dir = mkdtempSync(join(tmpdir(), 'rampart-connections-'));
    instance = new ServiceInstance('connections', await freePort(), productionEnv(dir, 'connections', 'false'));
    await instance.start();
  });

  after(async () => {
    await instance?.stop('SIGKILL');
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('are all served, and all kept open for a second request each', async () => {
    const limit = openFilesLimit();
    const pid = instance.pid as number;
    // Warm up (JIT, the SQLite statement cache) as a running service would be.
    const warm = new Agent({ keepAlive: true, maxSockets: 10 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => get(instance.port, `/api/echo?message=warm-${i}`, warm)));
    warm.destroy();
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, maxFreeSockets: CONNECTIONS });
    try {
      const firstStarted = performance.now();
      const first = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => get(instance.port, `/api/echo?message=first-${i}`, agent)));
      const firstMs = performance.now() - firstStarted;
      const rssOpen = rssOf(pid);
      const secondStarted = performance.now();
      const second = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => get(instance.port, `/api/echo?message=second-${i}`, agent)));
      const secondMs = performance.now() - secondStarted;

      const failed = [...first, ...second].filter((answer) => answer.status !== 200);
      assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${2 * CONNECTIONS} requests were not answered 200`);
      assert.equal(new Set(first.map((answer) => answer.localPort)).size, CONNECTIONS, 'each first request had a connection of its own');
      assert.equal(second.filter((answer) => answer.reused).length, CONNECTIONS, 'every second request reused an open connection');
      assert.equal(new Set(second.map((answer) => answer.localPort)).size, CONNECTIONS, 'all the connections stayed open between the waves');
      assert.ok(!instance.crashed, 'the service is still running');
      const served = (): number => instance.accessLines().filter((line) => line['path'] === '/api/echo' && line['status'] === 200).length;
      await waitFor('the service to log every request it served', () => served() === 2 * CONNECTIONS + 300, 10_000);

      const maxMs = (answers: Answer[]): number => Math.max(...answers.map((answer) => answer.ms));
      recordFigures('connections-flood', {
        title: `${CONNECTIONS} concurrent connections`,
        group: 'floods',
        command: 'npm test -- test/reliability/connections-flood.test.ts',
        claim: `${CONNECTIONS} clients connect to one production instance of the reference service at once, each on its own connection; all are answered 200, and every connection, kept alive, is reused for a second request that is answered 200 too.`,
        figures: {
          connections: CONNECTIONS,
          'requests sent': 2 * CONNECTIONS,
          failed: failed.length,
          'first wave (new connections) completed in': ms(firstMs),
          'first wave max latency': ms(maxMs(first)),
          'second wave (reused connections) completed in': ms(secondMs),
          'second wave max latency': ms(maxMs(second)),
          'service RSS with the connections open': mib(rssOpen),
          'open files limit (ulimit -n)': limit,
        },
      });
    } finally {
      agent.destroy();
    }
  });
});
