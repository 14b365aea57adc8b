// HTTP benchmark: each server runs in its own process; autocannon drives it
// from this one. Servers are measured in interleaved rounds and the median
// round is reported, with each server's ratio to the bare framework.
//
//   npm run bench [-- --duration 10 --rounds 3 --connections 50 --suite fastify]
import { fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

interface Target {
  name: string;
  server: string;
  /** The bare framework this target is compared with. */
  baseline: string;
}

const SUITES: Record<string, Target[]> = {
  fastify: [
    { name: 'fastify (bare)', server: 'fastify-bare', baseline: 'fastify (bare)' },
    { name: 'fastify + rampart', server: 'fastify-rampart', baseline: 'fastify (bare)' },
    { name: 'fastify + helmet + rate-limit + pino + prom-client', server: 'fastify-stack', baseline: 'fastify (bare)' },
  ],
  express: [
    { name: 'express (bare)', server: 'express-bare', baseline: 'express (bare)' },
    { name: 'express + rampart', server: 'express-rampart', baseline: 'express (bare)' },
    { name: 'express + helmet + rate-limit + pino-http + prom-client + csrf-csrf', server: 'express-stack', baseline: 'express (bare)' },
  ],
  hono: [
    { name: 'hono (bare, @hono/node-server)', server: 'hono-bare', baseline: 'hono (bare, @hono/node-server)' },
    { name: 'hono + rampart', server: 'hono-rampart', baseline: 'hono (bare, @hono/node-server)' },
  ],
};

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    suite: { type: 'string', multiple: true },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const suites = values.suite ?? Object.keys(SUITES);

async function start(server: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL(`./servers/${server}.ts`, import.meta.url), {
    execArgv: ['--conditions=source', '--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${server} exited with ${code}`)));
  });
  return { child, port };
}

async function measure(port: number, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: seconds });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

const results = new Map<string, { rps: number; p99: number; errors: number }[]>();
for (const suite of suites) {
  const targets = SUITES[suite];
  if (targets === undefined) throw new Error(`unknown suite ${suite}; known: ${Object.keys(SUITES).join(', ')}`);
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const { child, port } = await start(target.server);
      await measure(port, 2); // warm-up: JIT, connection setup
      const sample = await measure(port, duration);
      child.kill();
      results.set(target.name, [...(results.get(target.name) ?? []), sample]);
      process.stderr.write(`round ${round} ${target.name}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms\n`);
    }
  }
}

const median = (samples: { rps: number; p99: number; errors: number }[]): { rps: number; p99: number; errors: number } => {
  const sorted = [...samples].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)] as { rps: number; p99: number; errors: number };
};

console.log(`\n${connections} connections, ${duration} s per measurement, median of ${rounds} interleaved rounds (node ${process.version})\n`);
console.log(`${'target'.padEnd(72)} ${'req/s'.padStart(9)} ${'p99 ms'.padStart(7)} ${'ratio'.padStart(6)} errors`);
for (const suite of suites) {
  for (const target of SUITES[suite] ?? []) {
    const own = median(results.get(target.name) ?? []);
    const base = median(results.get(target.baseline) ?? []);
    console.log(`${target.name.padEnd(72)} ${Math.round(own.rps).toString().padStart(9)} ${own.p99.toString().padStart(7)} ${(own.rps / base.rps).toFixed(2).padStart(6)} ${own.errors}`);
  }
}
