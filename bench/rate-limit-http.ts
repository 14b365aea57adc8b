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
  /** Requests per second relative to bare Fastify. */
  readonly ratio: number;
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

export async function runHttp(options: { seconds: number; rounds: number; connections: number; log: (line: string) => void }): Promise<HttpRow[]> {
  const samples = new Map<string, { rps: number; p99: number; errors: number }[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of TARGETS) {
      const { child, port } = await start(target.script);
      await measure(port, 2, options.connections); // warm-up: JIT, connections
      const sample = await measure(port, options.seconds, options.connections);
      child.kill();
      samples.set(target.name, [...(samples.get(target.name) ?? []), sample]);
      options.log(`http round ${round} ${target.name}: ${Math.round(sample.rps)} req/s`);
    }
  }
  const median = (name: string): { rps: number; p99: number; errors: number } => {
    const sorted = [...(samples.get(name) ?? [])].sort((a, b) => a.rps - b.rps);
    return sorted[Math.floor(sorted.length / 2)] as { rps: number; p99: number; errors: number };
  };
  const bare = median(TARGETS[0].name).rps;
  return TARGETS.map((target) => {
    const row = median(target.name);
    return { name: target.name, rps: row.rps, p99: row.p99, errors: row.errors, ratio: row.rps / bare };
  });
}
