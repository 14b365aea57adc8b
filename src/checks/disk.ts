import { statfs } from 'node:fs/promises';
import { invalidOption } from '../errors/option-error.js';
import type { Check, CheckResult } from './check.js';

export interface DiskCheckOptions {
  /** A path on the filesystem to watch (the data or log directory). */
  path: string;
  /** Fail below this many free bytes. Default 100 MiB. */
  minFreeBytes?: number;
  /** Warn below this many free bytes. Default 1 GiB. */
  warnFreeBytes?: number;
  /** Default `disk:free`. */
  name?: string;
  /** Default false: a full disk should page someone, but the service may still answer reads. */
  critical?: boolean;
  /** Default 5000: statfs is cheap, but there is no need to repeat it per probe. */
  cacheMs?: number;
}

const MIB = 1024 * 1024;

/**
 * Free space on the filesystem holding `path`, as seen by this (unprivileged)
 * process (`bavail`, not `bfree`, which counts root's reserve). Observed in
 * bytes; the output never names the path.
 */
export function diskSpaceCheck(options: DiskCheckOptions): Check {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || options.path === '') {
    throw invalidOption('diskSpaceCheck.path', 'a filesystem path', options?.path);
  }
  const minFree = options.minFreeBytes ?? 100 * MIB;
  const warnFree = options.warnFreeBytes ?? 1024 * MIB;
  if (!(minFree >= 0) || !(warnFree >= minFree)) throw invalidOption('diskSpaceCheck.warnFreeBytes', 'a byte count at least minFreeBytes', warnFree);
  const path = options.path;
  return {
    name: options.name ?? 'disk:free',
    critical: options.critical ?? false,
    cacheMs: options.cacheMs ?? 5000,
    async run(): Promise<CheckResult> {
      const stats = await statfs(path);
      const free = stats.bavail * stats.bsize;
      const status = free < minFree ? 'fail' : free < warnFree ? 'warn' : 'pass';
      const output = status === 'pass' ? undefined : `${Math.round(free / MIB)} MiB free`;
      return output === undefined ? { status, observedValue: free, observedUnit: 'bytes' } : { status, observedValue: free, observedUnit: 'bytes', output };
    },
  };
}
