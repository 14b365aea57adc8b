import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRampart } from 'rampart';

/** The messages of the test's own lines (Rampart may log startup warnings to the same file). */
function messages(file: string): string[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
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
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    rampart.flushLogs();
    assert.deepEqual(messages(file), ['first']);

    renameSync(file, `${file}.1`); // what logrotate does
    rampart.reopenLogs();
    await new Promise((resolve) => setTimeout(resolve, 20));
    rampart.logger.info({ n: 2 }, 'second');
    await rampart.close();
    assert.deepEqual(messages(file), ['second']);
    assert.deepEqual(messages(`${file}.1`), ['first']);
  });

  it('refuses an unknown level or format', () => {
    assert.throws(() => createRampart({ log: { level: 'loud' as never } }), /log\.level/);
    assert.throws(() => createRampart({ log: { format: 'xml' as never } }), /log\.format/);
  });
});
