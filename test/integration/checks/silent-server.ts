import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server on loopback that accepts connections and never answers, nor
 * even reads: a hung dependency (a stopped process, a full backlog behind a
 * proxy). It never notices a client leaving, so tests judge the client side
 * with `clientSockets()`.
 */
export interface SilentServer {
  readonly port: number;
  /** Connections accepted and still open on the server side. */
  readonly open: Set<Socket>;
  close(): Promise<void>;
}

export async function silentServer(): Promise<SilentServer> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.pause();
    socket.on('error', () => undefined);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    open,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Asserts nothing identifying leaked into a check's client-facing output. */
export function leaks(output: string | undefined, ...forbidden: (string | number)[]): string[] {
  return forbidden.map(String).filter((value) => output?.includes(value) === true);
}

/**
 * TCP sockets this process holds open, less the silent server's side of its
 * connections: what a check left behind. A socket that was merely ended
 * (half-closed) still counts; only a destroyed one does not.
 */
export function clientSockets(silent: SilentServer): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length - silent.open.size;
}

/** Lets pending closes run before counting sockets. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}
