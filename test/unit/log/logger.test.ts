import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRampart } from 'rampart';

/** Waits (up to 2 s: the file opens asynchronously) until `read()` gives `expected`, flushing between tries. */
async function eventually(read: () => string[], expected: string[], flush: () => void): Promise<void> {
  for (let i = 0; i < 200; i++) {
    flush();
    if (JSON.stringify(read()) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.deepEqual(read(), expected);
}

/** The messages of the test's own lines (Rampart may log startup warnings to the same file). */
function messages(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { msg: string }).msg)
    .filter((msg) => msg === 'first' || msg === 'second');
}

describe('log file destination', () => {
  it('writes JSON lines to the file, flushes on demand and reopens after rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
    const file = join(dir, 'app.log');
    const rampart = createRampart({ profile: 'production', log: { file } });
    // The file opens asynchronously, off the startup path; lines written before are buffered.
    rampart.logger.info({ n: 1 }, 'first');
    await eventually(() => messages(file), ['first'], () => rampart.flushLogs());

    renameSync(file, `${file}.1`); // what logrotate does
    rampart.reopenLogs();
    // Reopening is asynchronous: a line logged and flushed at once must still wait for the new file.
    rampart.logger.info({ n: 2 }, 'second');
    rampart.flushLogs();
    await eventually(() => messages(file), ['second'], () => rampart.flushLogs());
    await rampart.close();
    assert.deepEqual(messages(`${file}.1`), ['first']);
  });

  it('writes a lone line to the file within moments, with no flush: a quiet service is tailed live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
    const file = join(dir, 'app.log');
    const rampart = createRampart({ profile: 'production', log: { file } });
    try {
      rampart.logger.info('first');
      await eventually(() => messages(file), ['first'], () => undefined);
    } finally {
      await rampart.close();
    }
  });

  it('has every line on disk when close() resolves, even a close before the file has opened: an exit right after loses nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-log-'));
    const file = join(dir, 'app.log');
    const rampart = createRampart({ profile: 'production', log: { file } });
    rampart.logger.info('first');
    await rampart.close();
    assert.deepEqual(messages(file), ['first']);
  });

  it('refuses an unknown level or format', () => {
    assert.throws(() => createRampart({ log: { level: 'loud' as never } }), /log\.level/);
    assert.throws(() => createRampart({ log: { format: 'xml' as never } }), /log\.format/);
  });
});
