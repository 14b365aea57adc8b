/**
 * A strict `.env` parser. Written here rather than taken from `dotenv` or
 * `util.parseEnv` because both skip or mangle a malformed line silently
 * (Node 20's parser even folds the next line into a garbage key), and a
 * config loader that fails fast has to say "`.env` line 7: …" instead.
 *
 * The accepted syntax is the common subset every tool agrees on:
 * - `NAME=value`, optionally prefixed with `export `; blank lines and `# …` comments;
 * - unquoted values are trimmed and end at ` #` (an inline comment);
 * - `'single quotes'` are literal; `"double quotes"` understand `\n`, `\r`,
 *   `\t`, `\"`, `\\` and may span lines;
 * - no `${VAR}` expansion: a value is exactly what is written, so a `$` in a
 *   password is never eaten.
 */

export interface DotenvEntry {
  readonly value: string;
  readonly line: number;
}

export interface DotenvLineError {
  readonly line: number;
  readonly message: string;
}

export interface ParsedDotenv {
  readonly entries: ReadonlyMap<string, DotenvEntry>;
  /** Lines that are not `NAME=value`: reported, never guessed at. */
  readonly errors: readonly DotenvLineError[];
  /** Names assigned more than once (the last one wins, as in every other tool). */
  readonly duplicates: readonly { readonly name: string; readonly line: number }[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

export function parseDotenv(text: string): ParsedDotenv {
  const entries = new Map<string, DotenvEntry>();
  const errors: DotenvLineError[] = [];
  const duplicates: { name: string; line: number }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = (lines[index] as string).trim();
    if (line === '' || line.startsWith('#')) continue;

    const assignment = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const equals = assignment.indexOf('=');
    if (equals === -1) {
      errors.push({ line: lineNumber, message: 'expected NAME=value' });
      continue;
    }
    const name = assignment.slice(0, equals).trim();
    if (!NAME.test(name)) {
      errors.push({ line: lineNumber, message: 'the name must be letters, digits and underscores, not starting with a digit' });
      continue;
    }

    const rest = assignment.slice(equals + 1).trimStart();
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      const parsed = readQuoted(quote, rest.slice(1), lines, index);
      if (parsed === undefined) {
        errors.push({ line: lineNumber, message: `the ${quote === '"' ? 'double' : 'single'} quote is never closed` });
        break; // Everything after an unclosed quote would be misread.
      }
      if (!/^\s*(#.*)?$/.test(parsed.after)) {
        errors.push({ line: parsed.endIndex + 1, message: 'unexpected text after the closing quote' });
        index = parsed.endIndex;
        continue;
      }
      value = parsed.value;
      index = parsed.endIndex;
    } else {
      const comment = rest.search(/\s#/);
      value = (comment === -1 ? rest : rest.slice(0, comment)).trim();
    }

    if (entries.has(name)) duplicates.push({ name, line: lineNumber });
    entries.set(name, { value, line: lineNumber });
  }
  return { entries, errors, duplicates };
}

interface Quoted {
  value: string;
  /** Text after the closing quote on its line. */
  after: string;
  /** Index of the line holding the closing quote. */
  endIndex: number;
}

function readQuoted(quote: '"' | "'", start: string, lines: readonly string[], startIndex: number): Quoted | undefined {
  let value = '';
  let text = start;
  for (let index = startIndex; index < lines.length; ) {
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (char === quote) return { value, after: text.slice(i + 1), endIndex: index };
      if (quote === '"' && char === '\\' && i + 1 < text.length) {
        const next = text[i + 1] as string;
        value += ESCAPES[next] ?? `\\${next}`;
        i++;
        continue;
      }
      value += char;
    }
    index++;
    if (index >= lines.length) break;
    value += '\n';
    text = lines[index] as string;
  }
  return undefined;
}
