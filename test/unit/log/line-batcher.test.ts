import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { LOG_BATCH_INTERVAL_MS, LineBatcher } from '../../../src/log/line-batcher.js';

class Sink {
  readonly chunks: string[] = [];
  write(chunk: string): void {
    this.chunks.push(chunk);
  }
}

describe('LineBatcher', () => {
  it('hands the lines of one batch interval to the destination as one write, in order', async () => {
    const sink = new Sink();
    const batcher = new LineBatcher(sink);
    batcher.write('a\n');
    await new Promise((resolve) => setImmediate(resolve));
    batcher.write('b\n'); // a later turn, same interval
    assert.deepEqual(sink.chunks, []);
    await new Promise((resolve) => setTimeout(resolve, LOG_BATCH_INTERVAL_MS + 10));
    assert.deepEqual(sink.chunks, ['a\nb\n']);
    batcher.write('c\n');
    await new Promise((resolve) => setTimeout(resolve, LOG_BATCH_INTERVAL_MS + 10));
    assert.deepEqual(sink.chunks, ['a\nb\n', 'c\n'], 'the next line starts a new interval');
  });

  it('writes at once when the batch reaches its bound, and on flush()', () => {
    const sink = new Sink();
    const batcher = new LineBatcher(sink, 4);
    batcher.write('12345\n');
    assert.deepEqual(sink.chunks, ['12345\n']);
    batcher.write('x\n');
    batcher.flush();
    assert.deepEqual(sink.chunks, ['12345\n', 'x\n']);
  });

  it('loses no line when the process exits before the interval ends', () => {
    const script = `
      import { LineBatcher } from './src/log/line-batcher.ts';
      const batcher = new LineBatcher({ write: (chunk) => process.stdout.write(chunk) });
      batcher.write('last words\\n');
      process.exit(0);`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../../../', import.meta.url).pathname, encoding: 'utf8' });
    assert.equal(output, 'last words\n');
  });
});
