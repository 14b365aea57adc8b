import { invalidOption } from '../errors/option-error.js';

/** A predicate over the exact `Origin` header value a browser sends. */
export type OriginMatcher = (origin: string) => boolean;

/** One DNS label (RFC 1123), what `*` stands for in a pattern. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The ASCII serialization of an origin (RFC 6454 §6.2), as browsers send it
 * in `Origin`: lower-case scheme and host, default port omitted, no path.
 * Configured origins are normalized to it once, so the per-request test is a
 * string comparison.
 */
export function normalizeOrigin(option: string, entry: unknown): string {
  if (typeof entry !== 'string') throw invalidOption(option, 'an origin such as "https://app.example.com"', entry);
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw invalidOption(option, 'an origin such as "https://app.example.com"', entry);
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '' && !entry.endsWith('/');
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !bare) {
    throw invalidOption(option, 'a bare http(s) origin: scheme, host and optional port, no path or trailing slash', entry);
  }
  return url.origin;
}

/**
 * Compiles an origin allowlist once: exact origins, and patterns with one
 * leading `*` label (`https://*.example.com` matches `https://a.example.com`,
 * not `https://example.com` nor `https://a.b.example.com`). Regular
 * expressions are deliberately not accepted: an unanchored or unescaped one
 * (`/example.com/`) is the classic CORS bypass (`example.com.evil.net`).
 * `null` is refused: sandboxed documents and `file:` pages all send it, so
 * trusting it trusts everyone.
 */
export function compileOriginMatcher(option: string, entries: readonly unknown[]): OriginMatcher {
  if (!Array.isArray(entries)) throw invalidOption(option, 'an array of origins', entries);
  const exact = new Set<string>();
  const patterns: { prefix: string; suffix: string }[] = [];
  for (const entry of entries) {
    if (entry === 'null' || entry === '*') throw invalidOption(`${option}[]`, 'an explicit origin (not "null" or "*")', entry);
    if (typeof entry === 'string' && entry.includes('*')) {
      const match = /^(https?):\/\/\*\.([^*/]+)$/i.exec(entry);
      if (match === null) throw invalidOption(`${option}[]`, 'a pattern like "https://*.example.com" (one leading * label)', entry);
      const rest = normalizeOrigin(`${option}[]`, `${match[1] as string}://${match[2] as string}`);
      const scheme = `${(match[1] as string).toLowerCase()}://`;
      patterns.push({ prefix: scheme, suffix: `.${rest.slice(scheme.length)}` });
    } else {
      exact.add(normalizeOrigin(`${option}[]`, entry));
    }
  }
  if (patterns.length === 0) return (origin) => exact.has(origin);
  return (origin) => {
    if (exact.has(origin)) return true;
    for (const { prefix, suffix } of patterns) {
      if (origin.length > prefix.length + suffix.length && origin.startsWith(prefix) && origin.endsWith(suffix)) {
        if (LABEL.test(origin.slice(prefix.length, origin.length - suffix.length))) return true;
      }
    }
    return false;
  };
}
