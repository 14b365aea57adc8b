// Preloaded into a service under test (NODE_OPTIONS=--import=<this file>):
// on SIGUSR2 it runs a full garbage collection and writes the process's
// memory to stderr as one JSON line, so a soak test reads the live heap
// (what a leak grows) rather than whatever garbage the last minor GCs left
// in old space. Test-side only: the product has no such hook.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

process.on('SIGUSR2', () => {
  gc();
  const { heapUsed, heapTotal, rss, external, arrayBuffers } = process.memoryUsage();
  process.stderr.write(`${JSON.stringify({ heapSample: { at: Date.now(), heapUsed, heapTotal, rss, external, arrayBuffers } })}\n`);
});
