import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const fixture = fileURLToPath(new URL('./fixtures/crash.ts', import.meta.url));

function run(kind: string): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fixture, kind], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, lines });
    });
  });
}

describe('unhandled errors', () => {
  for (const [kind, event, message, cause] of [
    ['exception', 'uncaughtException', 'handler bug', 'undefined is not a function'],
    ['rejection', 'unhandledRejection', 'lost promise', 'socket hang up'],
  ] as const) {
    it(`${event}: logged with its cause, reported, then a clean shutdown with exit code 1`, async () => {
      const { code, lines } = await run(kind);
      assert.equal(code, 1);
      const fatal = lines.find((line) => line['level'] === 'fatal');
      assert.equal(fatal?.['kind'], event);
      assert.equal((fatal?.['err'] as { message?: string } | undefined)?.message, message);
      const tracked = lines.find((line) => line['tracked'] !== undefined);
      assert.equal(tracked?.['kind'], event);
      assert.deepEqual((tracked?.['causes'] as { message: string }[]).map((entry) => entry.message), [message, cause]);
      const order = lines.map((line) => (line['hookRan'] ? 'hook' : line['trackerFlushed'] ? 'flush' : line['msg'] === 'shutdown complete' ? 'complete' : undefined)).filter(Boolean);
      assert.deepEqual(order, ['hook', 'flush', 'complete'], 'hooks, then the tracker flush, then the last line');
      assert.equal(lines.find((line) => line['msg'] === 'shutdown complete')?.['exitCode'], 1);
    });
  }
});
