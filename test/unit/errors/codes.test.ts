import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PROBLEM_CODES, RAMPART_CODES } from 'rampart';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the markdown table under `heading`: first cell (code) → remaining cells. */
function tableRows(heading: string): Map<string, string[]> {
  const section = docs.split(/^## /m).find((part) => part.startsWith(heading)) ?? '';
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim()).filter((cell, index, all) => index > 0 && index < all.length - 1);
    const code = /^`([A-Z_]+)`$/.exec(cells[0] ?? '')?.[1];
    if (code !== undefined) rows.set(code, cells.slice(1));
  }
  return rows;
}

describe('error code registry', () => {
  it('documents every problem code with its status and default detail, and nothing else', () => {
    const rows = tableRows('Problem codes');
    assert.deepEqual([...rows.keys()].sort(), Object.keys(PROBLEM_CODES).sort());
    for (const [code, info] of Object.entries(PROBLEM_CODES)) {
      assert.deepEqual(rows.get(code), [String(info.status), info.detail], code);
    }
  });

  it('documents every Rampart code with its message, and nothing else', () => {
    const rows = tableRows('Rampart codes');
    assert.deepEqual([...rows.keys()].sort(), Object.keys(RAMPART_CODES).sort());
    for (const [code, info] of Object.entries(RAMPART_CODES)) assert.deepEqual(rows.get(code), [info.message], code);
  });

  it('keeps the two families apart', () => {
    for (const code of Object.keys(PROBLEM_CODES)) assert.doesNotMatch(code, /^RAMPART_/);
    for (const code of Object.keys(RAMPART_CODES)) assert.match(code, /^RAMPART_[A-Z_]+$/);
  });
});
