// HTTP benchmark: each server runs in its own process, on the built package
// (dist/, as users run it; `npm run bench` builds first); autocannon drives it
// from this one. Targets are measured in interleaved rounds and the median
// round is reported, with each target's ratio to its bare framework — both
// in requests/s (what the targets are stated in) and in the server's CPU
// time per request (steadier on a shared machine: it does not depend on how
// much CPU the load generator got).
//
//   npm run bench [-- --duration 5 --rounds 5 --connections 50 --suite fastify --suite express]
//   npm run bench -- --node /path/to/node24   (servers on another Node; the load generator stays on this one)
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

interface Target {
  name: string;
  server: string;
  /** The bare framework this target is compared with. */
  baseline: string;
  /** Passed to the server as OFF=… (see servers/fastify-rampart-variant.ts). */
  off?: string;
}

const FASTIFY = 'fastify (bare)';
const EXPRESS = 'express (bare)';
const HONO = 'hono (bare, @hono/node-server)';

const SUITES: Record<string, Target[]> = {
  fastify: [
    { name: FASTIFY, server: 'fastify-bare', baseline: FASTIFY },
    { name: 'fastify + rampart (all defaults)', server: 'fastify-rampart', baseline: FASTIFY },
    { name: 'fastify + rampart (foundation: no metrics/overload/CSRF)', server: 'fastify-rampart-variant', off: 'metrics,overload,csrf', baseline: FASTIFY },
    { name: 'fastify + the same headers, set statically', server: 'fastify-static-headers', baseline: FASTIFY },
    { name: 'fastify + floor (static headers, id, ALS, access line)', server: 'fastify-floor', baseline: FASTIFY },
    { name: 'fastify + helmet + rate-limit + pino + prom-client', server: 'fastify-stack', baseline: FASTIFY },
  ],
  express: [
    { name: EXPRESS, server: 'express-bare', baseline: EXPRESS },
    { name: 'express + rampart', server: 'express-rampart', baseline: EXPRESS },
    { name: 'express + floor (static headers, id, ALS, access line)', server: 'express-floor', baseline: EXPRESS },
    { name: 'express + helmet + rate-limit + pino-http + prom-client + csrf-csrf', server: 'express-stack', baseline: EXPRESS },
  ],
  hono: [
    { name: HONO, server: 'hono-bare', baseline: HONO },
    { name: 'hono + rampart', server: 'hono-rampart', baseline: HONO },
  ],
};

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    suite: { type: 'string', multiple: true },
    node: { type: 'string' },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const suites = values.suite ?? ['fastify', 'express', 'hono'];

interface Sample {
  rps: number;
  p99: number;
  errors: number;
  cpuMicros: number;
}

async function start(target: Target): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(new URL(`./servers/${target.server}.ts`, import.meta.url), {
    execArgv: ['--import', 'tsx'],
    ...(values.node === undefined ? {} : { execPath: values.node }),
    env: { ...process.env, NODE_ENV: 'production', OFF: target.off ?? '' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`${target.server} exited with ${code}`)));
  });
  return { child, port };
}

function cpuTime(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { cpu?: NodeJS.CpuUsage }): void => {
      if (message.cpu === undefined) return;
      child.off('message', onMessage);
      resolve(message.cpu.user + message.cpu.system);
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

async function measure(child: ChildProcess, port: number, seconds: number): Promise<Sample> {
  const before = await cpuTime(child);
  const result = await autocannon({ url: `http://127.0.0.1:${port}/`, connections, duration: seconds });
  const cpu = (await cpuTime(child)) - before;
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx, cpuMicros: cpu / Math.max(1, result.requests.total) };
}

const targets = suites.flatMap((suite) => {
  const list = SUITES[suite];
  if (list === undefined) throw new Error(`unknown suite ${suite}; known: ${Object.keys(SUITES).join(', ')}`);
  return list;
});
const unique = [...new Map(targets.map((target) => [target.name, target])).values()];
const results = new Map<string, Sample[]>();
for (let round = 1; round <= rounds; round++) {
  for (const target of unique) {
    const { child, port } = await start(target);
    await measure(child, port, 2); // warm-up: JIT, connection setup
    const sample = await measure(child, port, duration);
    child.send('exit');
    results.set(target.name, [...(results.get(target.name) ?? []), sample]);
    process.stderr.write(`round ${round} ${target.name}: ${Math.round(sample.rps)} req/s, ${sample.cpuMicros.toFixed(1)} µs CPU/req\n`);
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
/**
 * The median over rounds of this round's figure divided by the baseline's in
 * the same round. The machine's speed drifts over minutes (shared cores), so
 * a ratio of figures taken seconds apart is steadier than a ratio of medians
 * taken over the whole run.
 */
const pairedRatio = (name: string, baseline: string, figure: (sample: Sample) => number): number => {
  const own = results.get(name) ?? [];
  const base = results.get(baseline) ?? [];
  return median(own.map((sample, round) => figure(sample) / figure(base[round] as Sample)));
};
const summary = (name: string): Sample => {
  const samples = results.get(name) ?? [];
  return { rps: median(samples.map((s) => s.rps)), p99: median(samples.map((s) => s.p99)), errors: Math.max(0, ...samples.map((s) => s.errors)), cpuMicros: median(samples.map((s) => s.cpuMicros)) };
};

const serverNode = values.node === undefined ? process.version : execFileSync(values.node, ['--version'], { encoding: 'utf8' }).trim();
console.log(`\n${connections} connections, ${duration} s per measurement, medians of ${rounds} interleaved rounds (servers on node ${serverNode})\n`);
console.log(`${'target'.padEnd(68)} ${'req/s'.padStart(8)} ${'ratio'.padStart(6)} ${'p99 ms'.padStart(7)} ${'µs CPU/req'.padStart(11)} ${'CPU ratio'.padStart(10)} errors`);
for (const target of unique) {
  const own = summary(target.name);
  console.log(
    `${target.name.padEnd(68)} ${Math.round(own.rps).toString().padStart(8)} ${pairedRatio(target.name, target.baseline, (sample) => sample.rps).toFixed(2).padStart(6)} ${own.p99.toString().padStart(7)} ${own.cpuMicros.toFixed(1).padStart(11)} ${pairedRatio(target.name, target.baseline, (sample) => 1 / sample.cpuMicros).toFixed(2).padStart(10)} ${own.errors}`,
  );
}
console.log('\nratio: requests/s relative to the bare framework in the same round; CPU ratio: bare CPU per request / this target\'s in the same round (1.00 = no overhead); both the median over rounds.');
