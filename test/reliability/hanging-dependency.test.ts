import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { httpCheck, postgresCheck, redisCheck } from 'rampart';
import { rampart } from 'rampart/fastify';
import { LogCapture } from '../support/capture-log.js';
import { waitUntil } from '../support/free-port.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { PrivateRedis } from '../support/private-redis.js';
import { recordFigures } from './figures.js';
import { ms, send, startLoad, summarize } from './load.js';

/**
 * Three dependencies hang at once — PostgreSQL and Redis frozen with
 * SIGSTOP (connections accepted by the kernel, never answered) and an HTTP
 * dependency that accepts requests and never responds — while balancers
 * probe `/ready` and clients use the app. Every check runs under its
 * default 2 s timeout: readiness answers 503 on time, every time; concurrent
 * probes share one run per check, so the hung dependency is not sent a
 * connection per probe; the app's own requests are not held up; and when the
 * dependencies answer again, readiness passes by itself.
 */
const CHECK_TIMEOUT_MS = 2000;
/** Event-loop and scheduling slack on a shared two-core machine. */
const SLACK_MS = 800;
const HANG_MS = 8000;
const PROBERS = 8;

/** An HTTP dependency whose health endpoint can be made to hang; counts the connections it holds. */
class HangingHttp {
  readonly server: Server;
  hanging = false;
  open = 0;
  maxOpen = 0;
  accepted = 0;
  readonly #held = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((_request, response) => {
      if (!this.hanging) return void response.end('ok');
      this.#held.add(response);
      response.once('close', () => this.#held.delete(response));
    });
    this.server.on('connection', (socket: Socket) => {
      this.accepted++;
      this.maxOpen = Math.max(this.maxOpen, ++this.open);
      socket.once('close', () => this.open--);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const response of this.#held) response.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('dependencies that hang', () => {
  const cleanup: (() => unknown)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it(`readiness answers 503 within the ${CHECK_TIMEOUT_MS} ms check timeout under concurrent probes, app requests are not held up, readiness recovers by itself`, async (t) => {
    const pg = await PrivatePostgres.start(t);
    if (pg === undefined) return;
    cleanup.push(() => pg.destroy());
    const redis = await PrivateRedis.start(t);
    if (redis === undefined) return;
    cleanup.push(() => redis.destroy());
    const http = new HangingHttp();
    const httpPort = await http.listen();
    cleanup.push(() => http.close());

    const app: FastifyInstance = Fastify();
    cleanup.push(() => app.close());
    await app.register(rampart, {
      profile: 'production',
      log: { destination: new LogCapture(), level: 'warn' },
      securityLog: false,
      health: {
        details: 'everyone',
        processChecks: false,
        checks: [postgresCheck({ url: pg.url }), redisCheck({ url: redis.url }), httpCheck({ url: `http://127.0.0.1:${httpPort}/health` })],
      },
    });
    app.get('/work', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    assert.equal((await send(port, { path: '/ready' }, false)).status, 200, 'ready while the dependencies answer');

    const work = startLoad({ port, concurrency: 4, maxRequests: 100_000, maxMs: 30_000, pauseMs: 5, next: () => ({ path: '/work' }) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const hungAt = performance.now();
    pg.freeze();
    redis.freeze();
    http.hanging = true;
    const acceptedBefore = http.accepted;
    const probes = startLoad({ port, concurrency: PROBERS, maxRequests: 10_000, maxMs: HANG_MS, pauseMs: 20, timeoutMs: 10_000, next: () => ({ path: '/ready' }) });
    const probeSamples = await probes.done;
    const detail = await send(port, { path: '/ready' }, false);
    const releasedAt = performance.now();
    pg.thaw();
    redis.thaw();
    http.hanging = false;
    let recoveredAt = 0;
    await waitUntil(async () => {
      const ready = (await send(port, { path: '/ready' }, false)).status === 200;
      if (ready) recoveredAt = performance.now();
      return ready;
    }, 'readiness to pass again', 15_000);
    const workSamples = await work.stop();

    // Probes are answered on time, every time, with 503.
    const probed = summarize(probeSamples);
    // The first probes may still be served by a run that started before the hang.
    const afterFirstRun = probeSamples.filter((sample) => sample.at > hungAt + CHECK_TIMEOUT_MS + SLACK_MS);
    // Each probe waits for the shared run, up to the timeout: a few rounds of PROBERS probes.
    assert.ok(afterFirstRun.length >= PROBERS, `probes were answered during the hang (${afterFirstRun.length})`);
    assert.ok(afterFirstRun.every((sample) => sample.status === 503), `readiness is 503 while the dependencies hang: ${JSON.stringify(summarize(afterFirstRun).statuses)}`);
    assert.equal(probed.noAnswer, 0, 'no probe went unanswered');
    assert.ok(probed.maxMs < CHECK_TIMEOUT_MS + SLACK_MS, `no probe waited past the check timeout (max ${Math.round(probed.maxMs)} ms)`);
    const report = JSON.parse(detail.body) as { status: string; checks: Record<string, { status: string; output?: string }[]> };
    assert.equal(report.status, 'fail');
    for (const name of ['postgres:connection', 'redis:connection', 'http:127.0.0.1']) {
      const check = report.checks[name]?.[0];
      assert.deepEqual([check?.status, check?.output], ['fail', `timed out after ${CHECK_TIMEOUT_MS} ms`], `${name}: ${JSON.stringify(report.checks)}`);
    }

    // Probes share one run per check: the hung HTTP dependency saw about one connection per timeout, not one per probe.
    const httpConnections = http.accepted - acceptedBefore;
    const runsBound = Math.ceil(HANG_MS / CHECK_TIMEOUT_MS) + 2;
    assert.ok(httpConnections <= runsBound, `${httpConnections} connections to the hung HTTP dependency for ${probeSamples.length} probes (bound ${runsBound})`);
    assert.ok(http.maxOpen <= 2, `at most ${http.maxOpen} connections held open at once: timed-out runs close theirs`);

    // The app's own requests do not wait on the checks.
    const during = summarize(workSamples, { from: hungAt, to: releasedAt });
    assert.ok(during.sent > 200, `app requests continued during the hang (${during.sent})`);
    assert.equal(during.ok, during.sent, `every app request was served: ${JSON.stringify(during.statuses)}`);
    assert.ok(during.maxMs < 500, `app requests were not held up (max ${Math.round(during.maxMs)} ms)`);

    recordFigures('hanging-dependencies', {
      title: 'Dependencies that hang',
      group: 'faults',
      command: 'npm test -- test/reliability/hanging-dependency.test.ts',
      claim: `PostgreSQL and Redis frozen (SIGSTOP) and an HTTP dependency that never responds, for ${HANG_MS / 1000} s, while ${PROBERS} clients probe /ready back to back and 4 clients use the app: every probe is answered 503 within the ${CHECK_TIMEOUT_MS} ms check timeout (plus scheduling slack), each check fails with "timed out after ${CHECK_TIMEOUT_MS} ms", concurrent probes share one run per check, app requests are all served, and readiness passes again by itself once the dependencies answer.`,
      figures: {
        'readiness probes during the hang': probeSamples.length,
        'probes unanswered': probed.noAnswer,
        'max probe latency': ms(probed.maxMs),
        'connections to the hung HTTP dependency': httpConnections,
        'most connections to it held at once': http.maxOpen,
        'app requests during the hang': during.sent,
        'app requests failed': during.sent - during.ok,
        'app max latency during the hang': ms(during.maxMs),
        'readiness recovery after the dependencies answered': ms(recoveredAt - releasedAt),
      },
    });
  });
});
