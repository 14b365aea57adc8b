import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort, productionEnv, ServiceInstance, waitFor } from '../integration/deploy/stack.js';
import { recordFigures } from './figures.js';
import { ms, send, startLoad, summarize } from './load.js';

/**
 * The log file's disk fills up under load. The reference service (production
 * profile) logs to a file on a 64 KiB tmpfs mounted for the test, so the
 * disk is full after a few hundred lines. Where mounting is not permitted
 * (not root, no CAP_SYS_ADMIN), the log file is /dev/full instead, where
 * every write fails with ENOSPC from the first line.
 */
const TMPFS_SIZE = '64k';
const METRICS_TOKEN = randomBytes(24).toString('base64url');

/** Mounts a small tmpfs at `dir`; false when this process may not mount. */
function mountTmpfs(dir: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0777`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

async function writeErrors(port: number): Promise<number> {
  const metrics = await send(port, { path: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, false);
  assert.equal(metrics.status, 200, metrics.body);
  const match = /^rampart_log_write_errors_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics.body);
  assert.ok(match !== null, 'the metric is exported');
  return Number(match[1]);
}

describe('disk full for the log file', () => {
  let dir: string | undefined;
  let mounted = false;
  let instance: ServiceInstance | undefined;

  after(async () => {
    await instance?.stop('SIGKILL');
    if (mounted && dir !== undefined) spawnSync('umount', ['-l', join(dir, 'logs')], { stdio: 'ignore' });
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('the service keeps serving, counts the failed writes, logs again once space is freed, and still exits promptly', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-disk-full-'));
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    mounted = mountTmpfs(logs);
    const logFile = mounted ? join(logs, 'service.log') : '/dev/full';
    if (!mounted) console.warn(`\n!!! mount -t tmpfs is not permitted here: the log file is /dev/full (every write fails) instead of a ${TMPFS_SIZE} tmpfs\n`);
    instance = new ServiceInstance('disk-full', await freePort(), { ...productionEnv(dir, 'disk-full', 'false'), LOG_FILE: logFile, METRICS_TOKEN });
    const service = instance;
    await service.start();

    // Fill the disk: every request writes an access line (~300 bytes).
    const load = startLoad({ port: service.port, concurrency: 4, maxRequests: 4000, maxMs: 20_000, next: (n) => ({ path: `/api/echo?message=fill-${n}`, headers: { 'x-request-id': `fill-${n}` } }) });
    const samples = await load.done;
    const filled = summarize(samples);
    assert.equal(filled.ok, filled.sent, `every request was served while the disk was full: ${JSON.stringify(filled.statuses)}`);
    assert.ok(!service.crashed, 'the process is still running');
    await waitFor('failed log writes to be counted', async () => (await writeErrors(service.port)) > 0, 10_000);
    const errorsWhenFull = await writeErrors(service.port);
    assert.equal((await send(service.port, { path: '/ready' }, false)).status, 200, 'still ready');
    const notices = service.stderr.split('\n').filter((line) => line.includes('log destination write failed'));
    assert.equal(notices.length, 1, `said so once on stderr: ${JSON.stringify(notices)}`);
    assert.match(notices[0] as string, /ENOSPC/);

    let resumedMs: number | undefined;
    if (mounted) {
      // Space freed (logrotate, an operator): writing resumes with no restart. The lines
      // buffered while the disk was full (up to 16 MiB) come first, in order.
      assert.ok(readFileSync(logFile).length > 32 * 1024, 'the log had filled the disk');
      truncateSync(logFile, 0);
      const freedAt = performance.now();
      await waitFor('lines written after space was freed', async () => {
        await send(service.port, { path: '/api/echo?message=again' }, false);
        return /"reqId":"fill-\d+"/.test(readFileSync(logFile, 'utf8'));
      }, 15_000, 100);
      resumedMs = performance.now() - freedAt;
    }

    // pino flushes its destination at exit and would retry a failing write forever; the exit must not hang.
    const stopping = performance.now();
    const code = await service.stop('SIGTERM');
    const exitMs = performance.now() - stopping;
    assert.equal(code, 0, 'a clean exit');
    assert.ok(exitMs < 15_000, `exited ${Math.round(exitMs)} ms after SIGTERM (shutdown delay 5 s)`);

    recordFigures('log-disk-full', {
      title: 'Disk full for the log file',
      group: 'faults',
      command: 'npm test -- test/reliability/log-disk-full.test.ts',
      claim: `The reference service (production) logs to ${mounted ? `a file on a ${TMPFS_SIZE} tmpfs` : '/dev/full'} that fills up under load: every request is still served, failed writes are counted in rampart_log_write_errors_total, one notice goes to stderr, readiness stays 200${mounted ? ', writing resumes as soon as space is freed (the lines buffered meanwhile first)' : ''}, and SIGTERM still ends the process cleanly instead of hanging on a flush.`,
      figures: {
        'log destination': mounted ? `tmpfs, ${TMPFS_SIZE}` : '/dev/full',
        'requests sent while the disk was full': filled.sent,
        failed: filled.sent - filled.ok,
        'max latency': ms(filled.maxMs),
        'rampart_log_write_errors_total': errorsWhenFull,
        ...(resumedMs === undefined ? {} : { 'logging resumed after space was freed': ms(resumedMs) }),
        'exit after SIGTERM (includes the 5 s shutdown delay)': ms(exitMs),
      },
    });
  });
});
