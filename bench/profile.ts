// Where a benchmark server's CPU goes, per request: the server runs under
// --cpu-prof with the load of `npm run bench`, and the functions with the
// most self time are printed in µs per request. With --against, a second
// server is profiled the same way and the difference is printed: what one
// costs over the other, function by function. Samples are wall time on the
// main thread, so a syscall that waits (writev) also counts what the kernel
// did; compare runs made side by side.
//
//   npm run bench:profile -- fastify-rampart --against fastify-bare [--top 30] [--seconds 5] [--node /path/to/node]
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { against: { type: 'string' }, top: { type: 'string', default: '30' }, seconds: { type: 'string', default: '5' }, node: { type: 'string' } },
});
const server = positionals[0];
if (server === undefined) throw new Error('usage: npm run bench:profile -- <server in bench/servers> [--against <server>]');

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** µs of self time per request, by function. */
async function profile(name: string): Promise<Map<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-profile-'));
  try {
    const child = fork(new URL(`./servers/${name}.ts`, import.meta.url), {
      execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${dir}`],
      ...(values.node === undefined ? {} : { execPath: values.node }),
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve) => child.once('message', (message: { port: number }) => resolve(message.port)));
    const url = `http://127.0.0.1:${port}/`;
    let requests = (await autocannon({ url, connections: 50, duration: 2 })).requests.total;
    requests += (await autocannon({ url, connections: 50, duration: Number(values.seconds) })).requests.total;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('exit'); // an exit of its own, not a signal: the profile is written
    await exited;
    // The main thread's profile is the largest (tsx's loader thread writes one too).
    const file = readdirSync(dir)
      .map((entry) => join(dir, entry))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0] as string;
    const cpu = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const names = new Map(cpu.nodes.map((node) => [node.id, label(node.callFrame)]));
    const self = new Map<string, number>();
    cpu.samples.forEach((id, i) => {
      const key = names.get(id) as string;
      self.set(key, (self.get(key) ?? 0) + (cpu.timeDeltas[i] ?? 0) / requests);
    });
    self.delete('(idle)');
    process.stderr.write(`${name}: ${requests} requests profiled\n`);
    return self;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function label({ functionName, url, lineNumber }: CpuProfile['nodes'][number]['callFrame']): string {
  if (url === '') return functionName || '(anonymous)';
  const where = url.replace(/^.*node_modules\//, '').replace(/^.*\/(dist|src|bench)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}

const top = Number(values.top);
const subject = await profile(server);
const base = values.against === undefined ? undefined : await profile(values.against);
const rows = [...new Set([...subject.keys(), ...(base?.keys() ?? [])])].map((key) => ({ key, us: subject.get(key) ?? 0, base: base?.get(key) ?? 0 }));
const total = (map: Map<string, number>): number => [...map.values()].reduce((sum, us) => sum + us, 0);
if (base === undefined) {
  console.log(`${server}: ${total(subject).toFixed(1)} µs busy per request\n`);
  for (const row of rows.sort((a, b) => b.us - a.us).slice(0, top)) console.log(`${row.us.toFixed(3).padStart(8)} µs  ${row.key}`);
} else {
  console.log(`${server} over ${values.against}: ${(total(subject) - total(base)).toFixed(1)} µs busy per request (${total(subject).toFixed(1)} vs ${total(base).toFixed(1)})\n`);
  console.log('    more     this     base');
  for (const row of rows.sort((a, b) => b.us - b.base - (a.us - a.base)).slice(0, top)) {
    console.log(`${(row.us - row.base).toFixed(3).padStart(8)} ${row.us.toFixed(3).padStart(8)} ${row.base.toFixed(3).padStart(8)}  ${row.key}`);
  }
}
