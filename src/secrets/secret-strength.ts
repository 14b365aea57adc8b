/**
 * Is this master secret fit for production? Not a password-strength meter:
 * the secret should come from `rampart secret` (32 random bytes), so the job
 * is to catch what people paste instead — the placeholder from a tutorial,
 * a word repeated to reach the length, a keyboard run.
 */

/** 32 characters: 256 bits of base64url, and what Django, Flask and Rails document as the floor. */
export const MIN_SECRET_KEY_LENGTH = 32;

/**
 * Fewer estimated bits than this is low entropy. Random 32-character hex
 * (128 real bits) estimates at 92–125, so the floor sits below it; `abcabc…`
 * estimates at 57, `1111…2222…` at 32.
 */
export const MIN_ESTIMATED_BITS = 80;

/**
 * Placeholders seen in tutorials, templates and the seeds, normalized (lower
 * case, letters and digits only). A secret that is one of these, or one of
 * these padded with digits, is refused.
 */
const PLACEHOLDERS = [
  'changeme',
  'changethis',
  'changeit',
  'replaceme',
  'secret',
  'secretkey',
  'mysecret',
  'mysecretkey',
  'yoursecret',
  'yoursecretkey',
  'yoursecretkeyhere',
  'supersecret',
  'supersecretkey',
  'topsecret',
  'password',
  'default',
  'insecure',
  'notsecret',
  'example',
  'test',
  'testing',
  'development',
  'devsecret',
  'devsecretkey',
  'devsecretkeychangeinproduction',
  'secretkeychangeinproduction',
  'changeinproduction',
  'pleasechangeme',
  'xxx',
  'todo',
];

/** Fragments that mark a value as a template left unfilled, wherever they appear. */
const PLACEHOLDER_FRAGMENTS = [
  'changeme',
  'changeinproduction',
  'replaceme',
  'yoursecret',
  'mysecret',
  'supersecret',
  'secretkey',
  'password',
  'insecure',
  'placeholder',
  'notsecret',
  'example',
  'qwerty',
  '12345678',
];

export type SecretWeakness = 'too-short' | 'placeholder' | 'low-entropy';

/** What is wrong with `value` as a production master secret; empty when nothing is. */
export function secretWeaknesses(value: string, minLength = MIN_SECRET_KEY_LENGTH): SecretWeakness[] {
  const weaknesses: SecretWeakness[] = [];
  const short = value.length < minLength;
  if (short) weaknesses.push('too-short');
  if (isPlaceholder(value)) weaknesses.push('placeholder');
  // A short random value is short, not predictable: only patterns count then.
  else if (short ? hasPattern(value) : isLowEntropy(value)) weaknesses.push('low-entropy');
  return weaknesses;
}

export function isPlaceholder(value: string): boolean {
  const normalized = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const stem = normalized.replace(/\d+$/, '');
  if (PLACEHOLDERS.includes(normalized) || PLACEHOLDERS.includes(stem)) return true;
  if (PLACEHOLDER_FRAGMENTS.some((fragment) => normalized.includes(fragment))) return true;
  // Django's generated-but-labelled development keys.
  return value.startsWith('django-insecure-');
}

/**
 * Low entropy: one character repeated, a short unit repeated, a run of
 * consecutive characters (`abcdef…`, `123456…`), or too few estimated bits
 * (Shannon entropy of the character distribution × length).
 */
export function isLowEntropy(value: string): boolean {
  return hasPattern(value) || estimatedBits(value) < MIN_ESTIMATED_BITS;
}

function hasPattern(value: string): boolean {
  return value.length === 0 || repeatsShortUnit(value) || sequentialShare(value) > 0.5;
}

/** Shannon entropy per character × length: an upper bound on what the value could hold. */
export function estimatedBits(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...value].length;
  let bitsPerChar = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bitsPerChar -= p * Math.log2(p);
  }
  return bitsPerChar * length;
}

function repeatsShortUnit(value: string): boolean {
  const limit = Math.min(8, Math.floor(value.length / 2));
  for (let unit = 1; unit <= limit; unit++) {
    const head = value.slice(0, unit);
    if (head.repeat(Math.ceil(value.length / unit)).slice(0, value.length) === value) return true;
  }
  return false;
}

/** Share of neighbouring characters whose codes differ by exactly one (keyboard and alphabet runs). */
function sequentialShare(value: string): number {
  if (value.length < 2) return 0;
  let steps = 0;
  for (let i = 1; i < value.length; i++) {
    if (Math.abs(value.charCodeAt(i) - value.charCodeAt(i - 1)) === 1) steps++;
  }
  return steps / (value.length - 1);
}
