import { AppError } from '../errors/app-error.js';

/** What to do with a `__proto__` key, or a `constructor` key holding a `prototype`, in request JSON. */
export type PrototypeKeyAction = 'reject' | 'remove';

export interface JsonLimits {
  /** Deepest nesting of objects and arrays. */
  readonly maxDepth: number;
  /** Object members in the whole document. */
  readonly maxKeys: number;
  readonly prototypeKeys: PrototypeKeyAction;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;

/**
 * `JSON.parse` with limits on nesting depth and key count, and no way to
 * reach an object's prototype.
 *
 * The limits are checked by one linear scan of the text before parsing, so a
 * 100-level-deep or 100 000-key document is refused before any object is
 * built. Native `JSON.parse` already defines `__proto__` as an ordinary own
 * property, but code that later copies the object with `Object.assign`,
 * a deep merge or a query builder would invoke the setter; such keys are
 * therefore rejected (400) or removed, as secure-json-parse does for Fastify.
 *
 * @throws AppError `MALFORMED_JSON` (400) for invalid or forbidden JSON,
 * `PAYLOAD_TOO_LARGE` (413) when a structural limit is exceeded.
 */
export function parseJsonSafely(text: string, limits: JsonLimits): unknown {
  // Only short texts are trimmed: a long all-whitespace body is just invalid JSON.
  if (text.length === 0 || (text.length < 64 && text.trim() === '')) throw new AppError('MALFORMED_JSON', { detail: 'The request body is empty; send a JSON value.' });
  const suspect = scanStructure(text, limits);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('MALFORMED_JSON', { cause: error });
  }
  if (suspect && value !== null && typeof value === 'object') guardPrototypes(value, limits.prototypeKeys);
  return value;
}

/**
 * One pass over the text, outside strings: counts nesting depth and object
 * keys (a string followed by `:`), and reports whether any key could be
 * `__proto__` or `constructor` once escapes are decoded, so that ordinary
 * documents are never walked a second time. Does not validate: `JSON.parse` does.
 */
function scanStructure(text: string, limits: JsonLimits): boolean {
  const { maxDepth, maxKeys } = limits;
  const length = text.length;
  let depth = 0;
  let keys = 0;
  let suspect = false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = endOfString(text, i);
      if (end === -1) return suspect; // unterminated: JSON.parse reports it
      let next = end + 1;
      while (next < length && isWhitespace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) === COLON) {
        if (++keys > maxKeys) throw tooComplex(`The JSON body has more than ${maxKeys} keys.`);
        if (!suspect) suspect = isSuspectKey(text, i + 1, end);
        i = next;
      } else {
        i = end;
      }
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) throw tooComplex(`The JSON body nests deeper than ${maxDepth} levels.`);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return suspect;
}

/** RFC 8259 §2 insignificant whitespace. */
function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** `__proto__` or `constructor` literally, or any key with an escape (which could spell them). */
function isSuspectKey(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length === 9 && text.startsWith('__proto__', start)) return true;
  if (length === 11 && text.startsWith('constructor', start)) return true;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/** Index of the quote closing the string opened at `start`, skipping escaped quotes; -1 if none. */
function endOfString(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    let backslashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return -1;
}

function tooComplex(detail: string): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', { detail });
}

/** Iterative walk (depth is already bounded, but recursion is not needed). */
function guardPrototypes(root: object, action: PrototypeKeyAction): void {
  const pending: object[] = [root];
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown>;
    if (Object.hasOwn(node, '__proto__')) {
      if (action === 'reject') throw forbiddenKey('__proto__');
      delete node['__proto__'];
    }
    const ctor = Object.hasOwn(node, 'constructor') ? node['constructor'] : undefined;
    if (ctor !== null && typeof ctor === 'object' && Object.hasOwn(ctor, 'prototype')) {
      if (action === 'reject') throw forbiddenKey('constructor.prototype');
      delete node['constructor'];
    }
    for (const key of Object.keys(node)) {
      const child = node[key];
      if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
}

function forbiddenKey(key: string): AppError {
  return new AppError('MALFORMED_JSON', { detail: `The JSON body contains a "${key}" key, which is not accepted.` });
}
