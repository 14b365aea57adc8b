import { invalidOption } from '../errors/option-error.js';

/** A path pattern compiled once: `test` runs on a path already passed through `normalizePath`. */
export interface PathMatcher {
  /** The pattern as written, used as the counter key of `key: 'route'` rules. */
  readonly source: string;
  test(path: string): boolean;
}

const NEEDS_NORMALIZING = /%|[A-Z]|\/\/|\/\.|.\/$/;
const ESCAPE = /%([0-9A-Fa-f]{2})/g;

/**
 * The path routers would treat as the same resource, so a rule cannot be
 * dodged by spelling: percent-escapes of ASCII decoded (except `%2F`, which
 * routers keep inside a segment), lower case (Express routes
 * case-insensitively by default), repeated slashes collapsed, dot segments
 * resolved (RFC 3986 §5.2.4), no trailing slash. Allocates only when the
 * path needs it.
 */
export function normalizePath(path: string): string {
  if (!NEEDS_NORMALIZING.test(path)) return path;
  let value = path.includes('%') ? path.replace(ESCAPE, decodeAscii) : path;
  value = value.toLowerCase();
  const out: string[] = [];
  for (const segment of value.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

function decodeAscii(escape: string, hex: string): string {
  const code = Number.parseInt(hex, 16);
  return code < 0x80 && code !== 0x2f && code !== 0x25 ? String.fromCharCode(code) : escape.toLowerCase();
}

/**
 * Compiles one pattern:
 * - `/api/notes/:id` (a route template: `:name` matches one non-empty segment),
 * - `/api/*` (everything under `/api/`, and `/api` itself),
 * - `/health*` (every path starting with `/health`),
 * - a RegExp, tested against the normalized path.
 * Matching is case-insensitive, like the normalization.
 */
export function compilePathPattern(option: string, pattern: unknown): PathMatcher {
  if (pattern instanceof RegExp) {
    const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return { source: pattern.source, test: (path) => regexp.test(path) };
  }
  if (typeof pattern !== 'string' || !pattern.startsWith('/') || pattern.length > 512) {
    throw invalidOption(option, "a path pattern starting with '/' (e.g. '/api/notes/:id', '/api/*', '/health*') or a RegExp", pattern);
  }
  const source = pattern;
  const prefix = pattern.endsWith('*');
  const body = normalizePath(prefix ? pattern.slice(0, -1) : pattern);
  if (body.includes('*')) throw invalidOption(option, "a path pattern with '*' only at the end", pattern);
  const segments = body.split('/');
  if (!segments.some((segment) => segment.startsWith(':'))) {
    if (!prefix) return { source, test: (path) => path === body };
    // `/api/*` also covers `/api`; `/health*` covers `/health`, `/healthz`, `/health/live`.
    if (body === '/') return { source, test: () => true };
    const dir = pattern.endsWith('/*');
    const base = dir ? `${body}/` : body;
    return { source, test: dir ? (path) => path === body || path.startsWith(base) : (path) => path.startsWith(base) };
  }
  for (const segment of segments) {
    if (segment.startsWith(':') && !/^:[A-Za-z_][\w]*$/.test(segment)) throw invalidOption(option, 'a route template with :name parameters', pattern);
  }
  const regexp = new RegExp(`^${segments.map((segment) => (segment.startsWith(':') ? '[^/]+' : escapeRegExp(segment))).join('/')}${prefix ? '(?:/.*)?' : ''}$`);
  return { source, test: (path) => regexp.test(path) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The normalized path a pattern matches when it is an exact path (no `*`, no `:param`), else undefined. */
export function exactPath(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || !pattern.startsWith('/') || pattern.includes('*') || pattern.includes('/:')) return undefined;
  return normalizePath(pattern);
}

/** One pattern or a list of them, each compiled. */
export function compilePathPatterns(option: string, patterns: unknown): PathMatcher[] {
  const list = Array.isArray(patterns) ? (patterns as unknown[]) : [patterns];
  return list.map((pattern, index) => compilePathPattern(`${option}[${index}]`, pattern));
}
