import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDotenv } from '../../../src/config/dotenv.js';

function values(text: string): Record<string, string> {
  return Object.fromEntries([...parseDotenv(text).entries].map(([key, entry]) => [key, entry.value]));
}

describe('.env parser', () => {
  it('reads the common syntax', () => {
    const text = [
      '# comment',
      '',
      'PLAIN=value',
      'SPACED =  trimmed value  ',
      'export EXPORTED=1',
      'INLINE=kept # dropped',
      'HASH=a#b',
      "SINGLE='literal \\n $HOME # kept'",
      'DOUBLE="line\\nbreak \\"quoted\\" \\\\ end"',
      'EMPTY=',
      'EQUALS=a=b=c',
      'DOLLAR=pa$$word',
      'MULTI="first',
      'second"',
    ].join('\n');
    assert.deepEqual(values(text), {
      PLAIN: 'value',
      SPACED: 'trimmed value',
      EXPORTED: '1',
      INLINE: 'kept',
      HASH: 'a#b',
      SINGLE: 'literal \\n $HOME # kept',
      DOUBLE: 'line\nbreak "quoted" \\ end',
      EMPTY: '',
      EQUALS: 'a=b=c',
      DOLLAR: 'pa$$word',
      MULTI: 'first\nsecond',
    });
    assert.deepEqual(parseDotenv(text).errors, []);
  });

  it('ignores a byte-order mark at the start of the file', () => {
    assert.deepEqual(values('\uFEFFFIRST=1\n'), { FIRST: '1' });
  });

  it('reports malformed lines with their numbers instead of guessing', () => {
    const parsed = parseDotenv(['GOOD=1', 'no equals sign', '1BAD=x', 'AFTER=2', 'QUOTED="x" trailing'].join('\n'));
    assert.deepEqual(parsed.errors, [
      { line: 2, message: 'expected NAME=value' },
      { line: 3, message: 'the name must be letters, digits and underscores, not starting with a digit' },
      { line: 5, message: 'unexpected text after the closing quote' },
    ]);
    assert.deepEqual([...parsed.entries.keys()], ['GOOD', 'AFTER'], 'a bad line never swallows the next one');
  });

  it('stops at an unclosed quote rather than misreading the rest of the file', () => {
    const parsed = parseDotenv(['A=1', 'B="never closed', 'C=3'].join('\n'));
    assert.deepEqual(parsed.errors, [{ line: 2, message: 'the double quote is never closed' }]);
    assert.deepEqual([...parsed.entries.keys()], ['A']);
  });

  it('keeps the last of duplicate names and says so', () => {
    const parsed = parseDotenv('A=1\nA=2\n');
    assert.equal(parsed.entries.get('A')?.value, '2');
    assert.deepEqual(parsed.duplicates, [{ name: 'A', line: 2 }]);
  });

  it('reads CRLF files', () => {
    assert.deepEqual(values('A=1\r\nB="x"\r\n'), { A: '1', B: 'x' });
  });
});
