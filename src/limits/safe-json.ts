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
 * Keys that may spell `__proto__` or `constructor` once JSON escapes are
 * decoded. Only documents containing one of these substrings are walked, so
 * ordinary bodies pay for a substring search, not a second traversal.
 */
const SUSPECT = /__proto__|constructor|\\u/;

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
  if (text.trim() === '') throw new AppError('MALFORMED_JSON', { detail: 'The request body is empty; send a JSON value.' });
  scanStructure(text, limits);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('MALFORMED_JSON', { cause: error });
  }
  if (value !== null && typeof value === 'object' && SUSPECT.test(text)) guardPrototypes(value, limits.prototypeKeys);
  return value;
}

/** Counts depth and `:` (one per object member) outside strings. Does not validate: `JSON.parse` does. */
function scanStructure(text: string, limits: JsonLimits): void {
  const { maxDepth, maxKeys } = limits;
  const length = text.length;
  let depth = 0;
  let keys = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = endOfString(text, i);
      if (i === -1) return; // unterminated: JSON.parse reports it
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) throw tooComplex(`The JSON body nests deeper than ${maxDepth} levels.`);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    } else if (code === COLON) {
      if (++keys > maxKeys) throw tooComplex(`The JSON body has more than ${maxKeys} keys.`);
    }
  }
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
