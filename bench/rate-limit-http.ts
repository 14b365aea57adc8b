// HTTP part of `npm run bench:ratelimit`: bare Fastify, the floor, Fastify + Rampart,
// and Fastify + Rampart with one memory-store rule, each in its own
// process, driven by autocannon from this one in interleaved rounds.
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

export interface HttpRow {
  readonly name: string;
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  /** Requests per second relative to bare Fastify's in the same round, the median over rounds. */
  readonly ratio: number;
  /** Requests per second relative to Rampart without a rule in the same round, the median over rounds. */
  readonly vsNoRule: number;
}

const TARGETS = [
  { name: 'fastify (bare)', script: './servers/fastify-bare.ts' },
  // What the features Rampart runs with cost at the least (servers/floor.ts): the target is measured against it too.
  { name: 'fastify + floor (static headers, id, ALS, access line)', script: './servers/fastify-floor.ts' },
  { name: 'fastify + rampart (no rule)', script: './servers/fastify-rampart.ts' },
  { name: 'fastify + rampart + 1 memory rule', script: './rate-limit-server.ts' },
] as const;

async function start(script: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL(script, import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, port };
}

async function measure(port: number, seconds: number, connections: number): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: seconds });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/**
 * Every round starts each server afresh and measures them back to back, in
 * an order rotated by one each round. Ratios are taken within a round and
 * their median reported: the machine's speed drifts over a whole run.
 */
export async function runHttp(options: { seconds: number; rounds: number; connections: number; log: (line: string) => void }): Promise<HttpRow[]> {
  const samples = new Map<string, { rps: number; p99: number; errors: number }[]>(TARGETS.map((target) => [target.name, []]));
  for (let round = 1; round <= options.rounds; round++) {
    // Each round starts one target later, so no server always follows the same one.
    for (let i = 0; i < TARGETS.length; i++) {
      const target = TARGETS[(round + i) % TARGETS.length] as (typeof TARGETS)[number];
      const { child, port } = await start(target.script);
      await measure(port, 2, options.connections); // warm-up: JIT, connections
      const sample = await measure(port, options.seconds, options.connections);
      child.kill();
      samples.get(target.name)?.push(sample);
      options.log(`http round ${round} ${target.name}: ${Math.round(sample.rps)} req/s`);
    }
  }
  const of = (name: string) => samples.get(name) ?? [];
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const paired = (name: string, baseline: string): number => median(of(name).map((sample, round) => sample.rps / (of(baseline)[round]?.rps ?? Number.NaN)));
  return TARGETS.map((target) => {
    const row = of(target.name);
    return {
      name: target.name,
      rps: median(row.map((sample) => sample.rps)),
      p99: median(row.map((sample) => sample.p99)),
      errors: row.reduce((sum, sample) => sum + sample.errors, 0),
      ratio: paired(target.name, 'fastify (bare)'),
      vsNoRule: paired(target.name, 'fastify + rampart (no rule)'),
    };
  });
}
