import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BackupError } from './backup-error.js';

/** The PostgreSQL client programs, from `pgBin` or the PATH. */
export function toolPath(tool: 'pg_dump' | 'pg_restore', pgBin: string | undefined): string {
  return pgBin === undefined ? tool : join(pgBin, tool);
}

function missing(tool: string, pgBin: string | undefined): BackupError {
  return new BackupError(
    'tool-missing',
    pgBin === undefined
      ? `${tool} was not found on the PATH. Install the PostgreSQL client matching your server (Debian/Ubuntu: apt-get install postgresql-client), or pass --pg-bin /usr/lib/postgresql/<major>/bin.`
      : `${tool} was not found in ${pgBin} (--pg-bin). Point it at the bin directory of a PostgreSQL client installation.`,
  );
}

/** `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)` → the line and its major version. */
export async function toolVersion(tool: 'pg_dump' | 'pg_restore', pgBin: string | undefined): Promise<{ line: string; major: number }> {
  const result = await runTool(toolPath(tool, pgBin), ['--version'], {}, undefined, undefined).catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? missing(tool, pgBin) : error;
  });
  const line = result.stdout.trim().split('\n')[0] ?? '';
  const major = Number(/\)\s+(\d+)/.exec(line)?.[1]);
  if (!Number.isInteger(major)) throw new BackupError('tool-missing', `Could not read the version of ${tool}: "${line}".`);
  return { line: line.replace(/\s+\([^()]*\)$/, ''), major };
}

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  /** The last lines of stderr, for error messages. */
  readonly stderrTail: string;
}

/**
 * Runs a tool without a shell. Each stderr line goes to `onLine` (pg_dump
 * --verbose reports progress there); the child is killed if `signal` aborts.
 */
export function runTool(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  onLine: ((line: string) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 1_000_000) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine?.(line);
      }
    });
    const abort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(error);
    });
    child.once('close', (code, killedBy) => {
      signal?.removeEventListener('abort', abort);
      if (partial !== '') tail.push(partial);
      resolve({ code: code ?? (killedBy === null ? 1 : 128), stdout, stderrTail: tail.join('\n') });
    });
  });
}

/** Tool output for an error message: its own lines, minus the verbose progress chatter. */
export function errorLines(tail: string): string {
  const lines = tail.split('\n').filter((line) => line.trim() !== '' && !/: (dumping|processing|creating|executing|reading|saving|last built-in)/.test(line));
  return lines.slice(-6).join('\n');
}
