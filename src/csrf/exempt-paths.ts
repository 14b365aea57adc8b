import { invalidOption } from '../errors/option-error.js';

/**
 * Dot segments, doubled slashes and encoded slashes or dots: paths a proxy or
 * router may normalize into a different route than the one the string names.
 * Such a path is never exempt, so `/webhooks/..%2Faccount` cannot borrow the
 * webhook's exemption.
 */
const AMBIGUOUS = /\/\.\.?(?:\/|$)|\/\/|%2e|%2f|%5c|\\/i;

/**
 * Compiles the explicit exemption list once into one predicate over the raw
 * request path: exact paths (`/webhooks/stripe`), `:name` segments
 * (`/oauth/:provider/callback`) and a trailing `/*` for a subtree
 * (`/webhooks/*`). A catch-all (`/*`, `*`) is refused: turn CSRF protection
 * off with `csrf: false` if that is really meant.
 */
export function compileExemptPaths(option: string, entries: readonly unknown[]): (path: string) => boolean {
  if (!Array.isArray(entries)) throw invalidOption(option, 'an array of paths', entries);
  if (entries.length === 0) return () => false;
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string' || !entry.startsWith('/') || AMBIGUOUS.test(entry) || /[?#\s]/.test(entry)) {
      throw invalidOption(`${option}[]`, 'a path such as "/webhooks/stripe", "/oauth/:provider/callback" or "/webhooks/*"', entry);
    }
    if (entry === '/*' || entry === '/') throw invalidOption(`${option}[]`, 'a specific path, not the whole site (use csrf: false)', entry);
    const subtree = entry.endsWith('/*');
    const body = subtree ? entry.slice(0, -2) : entry;
    if (body.includes('*')) throw invalidOption(`${option}[]`, 'a path with "*" only as a trailing "/*"', entry);
    if (!subtree && !body.includes('/:')) {
      exact.add(body);
      continue;
    }
    const source = body
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    patterns.push(new RegExp(`^${source}${subtree ? '/.+' : ''}$`));
  }
  return function isExempt(path) {
    if (AMBIGUOUS.test(path)) return false;
    if (exact.has(path)) return true;
    for (const pattern of patterns) if (pattern.test(path)) return true;
    return false;
  };
}
