import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a benchmark server logs: a file, as production would, not the terminal. */
export const benchLogFile = (name: string): string => join(tmpdir(), `rampart-bench-${name}-${process.pid}.log`);

/** The response every benchmark server sends, so only the hardening differs. */
export const PAYLOAD = { hello: 'world' };

/** Tells the parent which port the server took (it listens on a free one). */
export function announce(server: Server): void {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  process.send?.({ port: address.port });
  // The parent says when to stop: exiting here (not by signal) lets --cpu-prof write its profile.
  process.on('message', (message) => {
    if (message === 'exit') process.exit(0);
    // CPU time is a steadier measure than throughput on a shared machine.
    if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
}
