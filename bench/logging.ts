// Cost of one access-log line, in-process, written to a real file:
// pino's generic serialization vs the line Rampart assembles, and a line
// handed to sonic-boom directly vs through Rampart's LineBatcher.
//
//   npm run bench:logging
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createRampart, NodeRequestView } from 'rampart';
import { LineBatcher } from '../src/log/line-batcher.js';

const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-log-'));
const file = (name: string): string => join(dir, name);
const LINE =
  '{"level":"info","time":"2026-11-24T07:50:00.000Z","pid":1234,"hostname":"vm","reqId":"0b6f3c4e-1111-4222-8333-944444444444","method":"GET","route":"/","path":"/","status":200,"durationMs":1.23,"ip":"127.0.0.1","userAgent":"autocannon","msg":"request completed"}\n';

/** Nanoseconds per call, yielding to the event loop between batches so asynchronous writes complete as in a server. */
async function time(run: () => void, calls = 200_000): Promise<number> {
  const batches = 40;
  let total = 0n;
  for (let batch = 0; batch < batches; batch++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls / batches; i++) run();
    total += process.hrtime.bigint() - started;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(total) / calls;
}

const destination = (name: string) => pino.destination({ dest: openSync(file(name), 'a') as unknown as string, sync: false, minLength: 4096 });

// Writing a finished line.
const direct = destination('direct.log');
const batched = new LineBatcher(destination('batched.log'));

// The whole access line, as pino would build it and as Rampart does.
const pinoLogger = pino({ level: 'info', timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, new LineBatcher(destination('pino.log')));
const fields = { reqId: '0b6f3c4e-1111-4222-8333-944444444444', method: 'GET', route: '/', path: '/', status: 200, durationMs: 1.23, ip: '127.0.0.1', userAgent: 'autocannon' };
const rampart = createRampart({ profile: 'production', log: { file: file('rampart.log') }, metrics: false, overload: false, csrf: false });
const raw = { method: 'GET', url: '/', headers: { 'user-agent': 'autocannon' }, socket: { remoteAddress: '127.0.0.1' } };
const state = rampart.begin(new NodeRequestView(raw as never));
state.route = '/';

const rows: [string, number][] = [];
for (let round = 0; round < 2; round++) {
  rows.length = 0;
  rows.push(['finished line → sonic-boom directly', await time(() => direct.write(LINE))]);
  rows.push(['finished line → LineBatcher → sonic-boom', await time(() => batched.write(LINE))]);
  rows.push(['access line built by pino (batched)', await time(() => pinoLogger.info(fields, 'request completed'))]);
  rows.push(["access line built by Rampart (batched)", await time(() => {
    state.finished = false;
    rampart.finish(state, 200);
  })]);
}
console.log(`node ${process.version}; ns per line, second of two rounds\n`);
for (const [name, ns] of rows) console.log(`${name.padEnd(46)} ${ns.toFixed(0).padStart(7)} ns`);
await rampart.close();
rmSync(dir, { recursive: true, force: true });
