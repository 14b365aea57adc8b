import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const fixture = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));
const DELAY_MS = 1000;
const DRAIN_TIMEOUT_MS = 5000;
const CLIENTS = 16;
const MAX_REQUESTS = 20_000;
const MAX_LOAD_MS = 10_000;
/** How long the simulated load balancer keeps routing after its probe first sees 503 (endpoint propagation). */
const LB_PROPAGATION_MS = 250;
const PROBE_INTERVAL_MS = 50;

type Outcome = { kind: 'ok'; status: number } | { kind: 'refused' } | { kind: 'failed'; detail: string };

function get(port: number, path: string, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'ok', status: res.statusCode ?? 0 }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'failed', detail: `${error.code ?? error.message} mid-response` }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('client timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'failed', detail: `${error.code ?? error.message} (reused socket: ${req.reusedSocket})` }));
    req.end();
  });
}

/**
 * The load runs through a simulated load balancer: it probes /ready every
 * 50 ms and, once it sees 503, keeps routing for another 250 ms (endpoint
 * propagation) and then sends nothing new, as Kubernetes or an ALB do. That
 * is the contract the shutdown delay exists for. Without a balancer, a
 * connection still in the kernel's accept queue when the listener closes is
 * reset by TCP itself — no server can accept it — so requests are only
 * "accepted" if they reach the process, and the delay is what keeps new ones
 * from arriving at that instant.
 */
describe('graceful shutdown under load', () => {
  it('SIGTERM during a bounded load: no accepted request fails, readiness is 503 while draining, exit 0 within the deadline', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production', SHUTDOWN_DELAY_MS: String(DELAY_MS), DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', () => {
          const line = stdout.split('\n').find((entry) => entry.startsWith('{"port"'));
          if (line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
        });
        child.once('exit', () => reject(new Error(`service exited before listening: ${stdout}`)));
      });

      const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
      const outcomes: { at: number; outcome: Outcome }[] = [];
      const probes: { at: number; outcome: Outcome }[] = [];
      const loadStarted = performance.now();
      let routingUntil = Number.POSITIVE_INFINITY;
      const routed = (): boolean => performance.now() < routingUntil && performance.now() - loadStarted < MAX_LOAD_MS && outcomes.length < MAX_REQUESTS;

      const client = async (): Promise<void> => {
        while (routed()) outcomes.push({ at: performance.now(), outcome: await get(port, '/work', agent) });
      };
      const balancer = async (): Promise<void> => {
        while (performance.now() - loadStarted < MAX_LOAD_MS) {
          const outcome = await get(port, '/ready', false);
          probes.push({ at: performance.now(), outcome });
          if (outcome.kind === 'ok' && outcome.status === 503 && routingUntil === Number.POSITIVE_INFINITY) routingUntil = performance.now() + LB_PROPAGATION_MS;
          if (outcome.kind !== 'ok') return;
          await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
        }
      };
      const load = Promise.all([...Array.from({ length: CLIENTS }, client), balancer()]);

      await new Promise((resolve) => setTimeout(resolve, 700));
      const signalledAt = performance.now();
      child.kill('SIGTERM');
      // A long request that starts just before the listener closes and ends after: the drain waits for it.
      await new Promise((resolve) => setTimeout(resolve, DELAY_MS - 200));
      const slow = get(port, '/slow', false);
      const exit = await exited;
      assert.deepEqual(await slow, { kind: 'ok', status: 200 }, 'a request in flight at the close finished');
      assert.ok(exit.at - signalledAt >= DELAY_MS + 300, 'the exit waited for it');
      await load;
      // After the exit, the port refuses: nothing is accepted any more.
      assert.equal((await get(port, '/work', false)).kind, 'refused');
      agent.destroy();

      const results = outcomes.map((entry) => entry.outcome);
      const failed = results.filter((outcome) => outcome.kind !== 'ok' || outcome.status !== 200);
      const beforeSignal = outcomes.filter((entry) => entry.at < signalledAt).length;
      const afterSignal = outcomes.filter((entry) => entry.at >= signalledAt).length;
      assert.ok(beforeSignal > 50, `load was running before the signal (${beforeSignal} requests)`);
      assert.ok(afterSignal > 20, `requests were still sent and served after the signal (${afterSignal})`);
      assert.deepEqual(failed, [], 'no request failed, was reset, refused or answered with anything but 200');

      const draining = probes.filter((probe) => probe.at > signalledAt + 20 && probe.outcome.kind === 'ok');
      assert.ok(draining.length >= 5, `readiness was probed during the drain (${draining.length} probes)`);
      assert.ok(draining.every((probe) => probe.outcome.kind === 'ok' && probe.outcome.status === 503), 'readiness is 503 during the drain');
      assert.ok(probes.some((probe) => probe.at < signalledAt && probe.outcome.kind === 'ok' && probe.outcome.status === 200), 'readiness was 200 before');
      assert.equal(probes.at(-1)?.outcome.kind, 'refused', 'the listener closed before the exit');

      assert.equal(exit.code, 0);
      const exitMs = exit.at - signalledAt;
      assert.ok(exitMs >= DELAY_MS - 50, `kept serving through the delay (${Math.round(exitMs)} ms)`);
      assert.ok(exitMs < DELAY_MS + DRAIN_TIMEOUT_MS, `exited within the deadline (${Math.round(exitMs)} ms)`);
      assert.match(stdout, /"msg":"shutdown complete"/);
      console.log(`shutdown under load: ${results.length} requests (${afterSignal} after SIGTERM), 0 failed; exit ${exit.code} after ${Math.round(exitMs)} ms`);
    } finally {
      clearTimeout(kill);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
