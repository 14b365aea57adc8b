import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseRecord, readRecords, renderReliabilityPage, type FiguresRecord } from '../../../scripts/reliability-report.js';

const record = (overrides: Partial<FiguresRecord>): FiguresRecord => ({
  id: 'x',
  recordedAt: '2026-11-24T08:00:00.000Z',
  node: 'v20.20.2',
  title: 'A scenario',
  group: 'faults',
  command: 'npm test -- test/reliability/x.test.ts',
  claim: 'It holds.',
  figures: { 'requests sent': 4200 },
  ...overrides,
});

describe('docs/RELIABILITY.md generator', () => {
  it('renders groups in the suite order, unknown groups after, scenarios by title, each with command, claim, figures, Node and date', () => {
    const page = renderReliabilityPage([
      record({ id: 'soak', group: 'soak', title: 'Soak' }),
      record({ id: 'zeta', group: 'zeta', title: 'Zeta' }),
      record({ id: 'b', group: 'faults', title: 'B fault', figures: { 'max latency during fault': '812 ms', sent: 1234567 } }),
      record({ id: 'a', group: 'faults', title: 'A fault' }),
      record({ id: 'scale', group: 'scale-out', title: 'Three instances' }),
    ]);
    const headings = page.split('\n').filter((line) => line.startsWith('## ') || line.startsWith('### '));
    assert.deepEqual(headings, ['## Scenarios', '## Scale-out', '### Three instances', '## Faults', '### A fault', '### B fault', '## Soak', '### Soak', '## Zeta', '### Zeta']);
    assert.match(page, /npm run test:reliability && npm run reliability:report/);
    assert.match(page, /\| max latency during fault \| 812 ms \|\n\| sent \| 1,234,567 \|/);
    assert.match(page, /Node v20\.20\.2, recorded 2026-11-24 \(`b`\)/);
    assert.match(page, /\[A fault\]\(#a-fault\)/);
  });

  it('keeps table cells on one line and escapes pipes', () => {
    const page = renderReliabilityPage([record({ figures: { 'a | b': 'one\ntwo | three' } })]);
    assert.match(page, /\| a \\\| b \| one two \\\| three \|/);
  });

  it('says so when no scenario has recorded figures', () => {
    assert.match(renderReliabilityPage([]), /No scenario has recorded figures yet/);
  });

  it('refuses a malformed record, naming the file, instead of leaving its section out', () => {
    assert.throws(() => parseRecord('bad.json', '{'), /bad\.json: not JSON/);
    assert.throws(() => parseRecord('no-claim.json', JSON.stringify({ ...record({}), claim: undefined })), /no-claim\.json: "claim" must be a non-empty string/);
    assert.throws(() => parseRecord('nested.json', JSON.stringify(record({ figures: { x: { y: 1 } } as never }))), /figure "x" must be a string or a number/);
  });

  it('reads every .json record of a directory, and none from a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rampart-figures-'));
    try {
      writeFileSync(join(dir, 'b.json'), JSON.stringify(record({ id: 'b' })));
      writeFileSync(join(dir, 'a.json'), JSON.stringify(record({ id: 'a' })));
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      assert.deepEqual(readRecords(dir).map((entry) => entry.id), ['a', 'b']);
      assert.deepEqual(readRecords(join(dir, 'missing')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
