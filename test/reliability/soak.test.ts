import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, productionEnv, ServiceInstance, waitFor } from '../integration/deploy/stack.js';
import { recordFigures } from './figures.js';
import { mib, ms, send, startLoad, summarize, type RequestSpec, type Sample } from './load.js';
import { accountWithToken, call } from './service-client.js';

/**
 * A bounded soak: two minutes (SOAK_MINUTES) of mixed load on the reference service in the
 * production profile (a child process, SQLite, its real rate-limit rules
 * raised so they count without refusing), from programmatic clients with
 * bearer tokens — reads, writes and steady error traffic (404, 400, 422,
 * 401, and 429 from the per-user search limit). Every few seconds the test
 * asks the process for its live heap: a preloaded test-side sampler
 * (test/support/heap-sampler.mjs) runs a full GC on SIGUSR2 and reports
 * `process.memoryUsage()`, so the samples are the retained heap, not the
 * garbage old space holds between major GCs. After a warm-up, a
 * least-squares line through the samples must rise by less than
 * HEAP_SLOPE_BOUND.
 */
/** Two minutes in CI; `SOAK_MINUTES=30 npm test -- test/reliability/soak.test.ts` for a longer run (set TEST_TIMEOUT to match). */
const LOAD_MS = Number(process.env['SOAK_MINUTES'] ?? 2) * 60_000;
const SAMPLE_EVERY_MS = 5_000;
/** JIT code, caches and connection pools settle in the first half minute. */
const WARM_UP_MS = 30_000;
/**
 * 2 MiB a minute: at the few hundred requests a second this load runs, a leak
 * of one small object (~100 bytes) per request would exceed it. The figure
 * reports what the bound means in bytes per request at the measured rate.
 */
const HEAP_SLOPE_BOUND = 2 * 1024 * 1024;
/** RSS also carries allocator and page-cache growth (SQLite's, the log file's): a looser bound. */
const RSS_SLOPE_BOUND = 16 * 1024 * 1024;
/** Six keep-alive clients, each pausing 10 ms between requests: steady, and sharing the machine. */
const CONCURRENCY = 6;
const PAUSE_MS = 10;
const ACCOUNTS = 3;
const METRICS_TOKEN = `soak-metrics-${randomUUID()}`;

interface HeapSample {
  readonly at: number;
  readonly heapUsed: number;
  readonly rss: number;
}

/** Slope of the least-squares line through `points`, per minute of `x` (milliseconds). */
export function slopePerMinute(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  return (covariance / variance) * 60_000;
}

/** What each kind of request in the mix must get. `search` may also be refused by its 20-a-minute rule. */
const EXPECTED: Record<string, readonly number[]> = {
  list: [200],
  get: [200],
  create: [201],
  update: [200],
  search: [200, 429],
  missing: [404],
  malformed: [400],
  invalid: [422],
  forged: [401],
};
const MIX = ['list', 'get', 'create', 'list', 'update', 'get', 'search', 'missing', 'list', 'malformed', 'invalid', 'forged'] as const;

const dir = mkdtempSync(join(tmpdir(), 'rampart-soak-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe(`soak: ${LOAD_MS / 60_000} minutes of mixed load on the reference service`, () => {
  it(`keeps its live heap flat (least-squares slope under ${mib(HEAP_SLOPE_BOUND)}/min after a ${WARM_UP_MS / 1000} s warm-up) and answers every request as expected`, { timeout: LOAD_MS + 90_000 }, async () => {
    const port = await freePort();
    const service = new ServiceInstance('soak', port, {
      ...productionEnv(dir, 'soak', 'false'),
      LOG_FILE: join(dir, 'service.log'),
      METRICS_TOKEN,
      // The rules stay on and count every request; their limits sit above this load (search keeps its own 20/min).
      RATE_LIMIT_API_MINUTE: '1000000/1m',
      RATE_LIMIT_API_HOUR: '100000000/1h',
      RATE_LIMIT_AUTH: '100/1m',
      NODE_OPTIONS: `--import=${new URL('../support/heap-sampler.mjs', import.meta.url).href}`,
    });
    await service.start();
    after(() => service.stop());
    const pid = service.pid;
    assert.ok(pid !== undefined);

    const clients: { auth: Record<string, string>; note: string }[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const { token } = await accountWithToken(port, `soak${i}`);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const seeded = await call(port, 'POST', '/api/notes', { body: { title: 'seed', body: 'x'.repeat(200) }, headers: { authorization: auth.authorization } });
      assert.equal(seeded.status, 201, seeded.body);
      clients.push({ auth, note: String(seeded.json()['id']) });
    }
    const forged = { authorization: `Bearer rmp_${randomUUID()}`, 'content-type': 'application/json' };

    const next = (n: number): RequestSpec => {
      const kind = MIX[n % MIX.length] as (typeof MIX)[number];
      const { auth, note } = clients[Math.floor(n / MIX.length) % clients.length] as { auth: Record<string, string>; note: string };
      const headers = { ...auth, 'x-request-id': `soak-${kind}-${n}` };
      switch (kind) {
        case 'list':
          return { path: '/api/notes?limit=20', headers };
        case 'get':
          return { path: `/api/notes/${note}`, headers };
        case 'create':
          return { path: '/api/notes', method: 'POST', headers, body: JSON.stringify({ title: `note ${n}`, body: 'written under load' }) };
        case 'update':
          return { path: `/api/notes/${note}`, method: 'PATCH', headers, body: JSON.stringify({ body: `revision ${n}` }) };
        case 'search':
          return { path: '/api/search?q=note', headers };
        case 'missing':
          return { path: `/api/notes/${randomUUID()}`, headers };
        case 'malformed':
          return { path: '/api/notes', method: 'POST', headers, body: '{"title":' };
        case 'invalid':
          return { path: '/api/notes', method: 'POST', headers, body: JSON.stringify({ title: '' }) };
        case 'forged':
          return { path: '/api/notes', headers: { ...forged, 'x-request-id': headers['x-request-id'] } };
      }
    };

    /** One live-heap sample: SIGUSR2 to the service, then its JSON line on stderr. */
    let seen = 0;
    const sampleHeap = async (): Promise<HeapSample> => {
      const wanted = seen + 1;
      process.kill(pid, 'SIGUSR2');
      let lines: string[] = [];
      await waitFor('a heap sample', () => (lines = service.stderr.split('\n').filter((line) => line.startsWith('{"heapSample"'))).length >= wanted, 10_000, 20);
      seen = lines.length;
      const { heapSample } = JSON.parse(lines.at(-1) as string) as { heapSample: { heapUsed: number; rss: number } };
      return { at: performance.now(), heapUsed: heapSample.heapUsed, rss: heapSample.rss };
    };
    const openFiles = async (): Promise<number> => {
      const metrics = await send(port, { path: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, false);
      assert.equal(metrics.status, 200);
      return Number(/^process_open_fds (\d+)/m.exec(metrics.body)?.[1]);
    };

    const started = performance.now();
    const load = startLoad({ port, concurrency: CONCURRENCY, pauseMs: PAUSE_MS, maxRequests: 1_000_000, maxMs: LOAD_MS, next, keepHeader: 'x-request-id', timeoutMs: 10_000 });
    const heap: HeapSample[] = [];
    const files: { at: number; open: number }[] = [];
    while (performance.now() - started < LOAD_MS - 1000) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
      heap.push(await sampleHeap());
      files.push({ at: performance.now(), open: await openFiles() });
    }
    const samples: Sample[] = await load.done;
    const elapsedMs = performance.now() - started;

    // Every answer is the one its kind must get: never a 5xx, never a missing answer.
    const summary = summarize(samples);
    assert.equal(summary.noAnswer, 0, JSON.stringify(summary.statuses));
    assert.equal(summary.serverErrors + summary.unavailable, 0, JSON.stringify(summary.statuses));
    const unexpected = samples.filter((sample) => {
      const kind = /^soak-([a-z]+)-\d+$/.exec(sample.header ?? '')?.[1] ?? '';
      return !(EXPECTED[kind] ?? []).includes(sample.status);
    });
    assert.deepEqual(unexpected.slice(0, 5), [], `${unexpected.length} answers other than expected`);
    for (const sample of samples) if (sample.status >= 400) assert.ok(sample.code !== undefined && sample.code !== 'UNPARSABLE_PROBLEM', `a problem body: ${sample.header ?? ''}`);

    const steady = heap.filter((sample) => sample.at - started >= WARM_UP_MS);
    assert.ok(steady.length >= 10, `${steady.length} samples after the warm-up`);
    const heapSlope = slopePerMinute(steady.map((sample) => ({ x: sample.at, y: sample.heapUsed })));
    const rssSlope = slopePerMinute(steady.map((sample) => ({ x: sample.at, y: sample.rss })));
    const perMinute = (samples.length / elapsedMs) * 60_000;
    const figures = `heap slope ${mib(heapSlope)}/min, RSS slope ${mib(rssSlope)}/min, ${Math.round(perMinute)} requests/min; heap ${steady.map((sample) => (sample.heapUsed / 1048576).toFixed(2)).join(' ')}`;
    assert.ok(heapSlope < HEAP_SLOPE_BOUND, `live heap grows: ${figures}`);
    assert.ok(rssSlope < RSS_SLOPE_BOUND, `RSS grows: ${figures}`);
    // Sockets and files: what the service holds open returns to where it was once the warm-up was over.
    const steadyFiles = files.filter((sample) => sample.at - started >= WARM_UP_MS).map((sample) => sample.open);
    const fileGrowth = (steadyFiles.at(-1) ?? 0) - (steadyFiles[0] ?? 0);
    assert.ok(fileGrowth <= 5, `open files grew by ${fileGrowth}: ${steadyFiles.join(' ')}`);

    const count = (...kinds: string[]): number => samples.filter((sample) => kinds.some((kind) => sample.header?.startsWith(`soak-${kind}-`))).length;
    const reads = count('list', 'get', 'search');
    const writes = count('create', 'update');
    const errors = count('missing', 'malformed', 'invalid', 'forged');
    recordFigures('soak', {
      title: `${LOAD_MS / 60_000}-minute soak with the live heap sampled`,
      group: 'soak',
      command: 'npm test -- test/reliability/soak.test.ts',
      claim: `${CONCURRENCY} keep-alive bearer-token clients mix reads, writes and error traffic against the reference service (production profile, SQLite, rate-limit rules on) for ${LOAD_MS / 60_000} minutes. Every answer is the expected one (no 5xx, none missing). A full-GC heap sample every ${SAMPLE_EVERY_MS / 1000} s, after a ${WARM_UP_MS / 1000} s warm-up, fits a line rising less than ${mib(HEAP_SLOPE_BOUND)} a minute; RSS less than ${mib(RSS_SLOPE_BOUND)} a minute; open files do not grow.`,
      figures: {
        'requests sent': samples.length,
        'reads : writes : errors': `${reads} : ${writes} : ${errors}`,
        'throughput': `${Math.round(perMinute / 60)} req/s`,
        'failed (5xx or no answer)': summary.serverErrors + summary.unavailable + summary.noAnswer,
        'unexpected answers': unexpected.length,
        'search refused by its limit (429)': summary.statuses['429'] ?? 0,
        'p99 latency': ms(summary.p99Ms),
        'max latency': ms(summary.maxMs),
        'heap samples after warm-up': steady.length,
        'live heap at warm-up end → end': `${mib(steady[0]?.heapUsed ?? 0)} → ${mib(steady.at(-1)?.heapUsed ?? 0)}`,
        'live heap slope': `${(heapSlope / 1024).toFixed(0)} KiB/min`,
        'heap bound': `${mib(HEAP_SLOPE_BOUND)}/min (${Math.round(HEAP_SLOPE_BOUND / perMinute)} bytes per request at this rate)`,
        'RSS at warm-up end → end': `${mib(steady[0]?.rss ?? 0)} → ${mib(steady.at(-1)?.rss ?? 0)}`,
        'RSS slope': `${(rssSlope / 1024).toFixed(0)} KiB/min`,
        'RSS bound': `${mib(RSS_SLOPE_BOUND)}/min`,
        'open files at warm-up end → end': `${steadyFiles[0] ?? 0} → ${steadyFiles.at(-1) ?? 0}`,
      },
    });
  });
});
