import { Writable } from 'node:stream';

/** A log destination that keeps every line, parsed, for assertions. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  raw = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    const text = chunk.toString('utf8');
    this.raw += text;
    for (const line of text.split('\n')) if (line.trim() !== '') this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }

  /** The access-log lines ("request completed"). */
  get accessLines(): Record<string, unknown>[] {
    return this.lines.filter((line) => line['msg'] === 'request completed');
  }
}
