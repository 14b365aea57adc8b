import * as z from 'zod';
import { Secret } from '../secrets/secret.js';
import { CONNECTION_PROTOCOLS, type ConnectionKind } from './connection-url.js';
import { formatDuration, parseDuration, type DurationUnit } from './duration.js';

/** What the loader needs to know about a field beyond its schema. */
export interface FieldMeta {
  /** Never shown: not in reports, not in error messages. */
  readonly secret?: boolean;
  /** A connection URL: shown with its password masked, held to the TLS rule in production. */
  readonly connection?: readonly ConnectionKind[];
}

const registry = z.registry<FieldMeta>();

function tag<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  registry.add(schema, meta);
  return schema;
}

/** A field's metadata, looking through `.optional()`, `.default()` and other wrappers. */
export function fieldMeta(schema: z.ZodType): FieldMeta {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current !== undefined && depth < 16; depth++) {
    const meta = registry.get(current);
    if (meta !== undefined) return meta;
    current = inner(current);
  }
  return {};
}

/** The schema a wrapper (optional, default, nullable, pipe…) wraps, per zod 4's definitions. */
function inner(schema: z.ZodType): z.ZodType | undefined {
  const def = (schema as unknown as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
  return def.innerType ?? def.in;
}

type Ctx = z.core.$RefinementCtx<string>;

function fail(ctx: Ctx, input: string, message: string): never {
  ctx.issues.push({ code: 'custom', message, input });
  return z.NEVER;
}

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/**
 * `true/false/1/0/yes/no`, any case, and nothing else: `"false"` is false,
 * and a typo like `ture` is an error rather than a silent `true`.
 */
function boolean() {
  return z.string().transform((raw, ctx): boolean => {
    const value = raw.trim().toLowerCase();
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    return fail(ctx, raw, 'must be one of true, false, 1, 0, yes, no');
  });
}

export interface RangeOptions {
  min?: number;
  max?: number;
}

function rangeMessage(min: number | undefined, max: number | undefined, show: (n: number) => string): string {
  if (min !== undefined && max !== undefined) return `must be between ${show(min)} and ${show(max)}`;
  return min !== undefined ? `must be at least ${show(min)}` : `must be at most ${show(max as number)}`;
}

/** A decimal integer, optionally within `[min, max]`. */
function integer(options: RangeOptions = {}) {
  return z.string().transform((raw, ctx): number => {
    const text = raw.trim();
    if (!/^[-+]?\d+$/.test(text)) return fail(ctx, raw, 'must be a whole number');
    const value = Number(text);
    if (!Number.isSafeInteger(value)) return fail(ctx, raw, 'is too large');
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      return fail(ctx, raw, rangeMessage(options.min, options.max, String));
    }
    return value;
  });
}

/** A decimal number, optionally within `[min, max]`. */
function number(options: RangeOptions = {}) {
  return z.string().transform((raw, ctx): number => {
    const text = raw.trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return fail(ctx, raw, 'must be a number');
    const value = Number(text);
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      return fail(ctx, raw, rangeMessage(options.min, options.max, String));
    }
    return value;
  });
}

/** A TCP port, 1–65535 (0 with `{ allowZero: true }`: "any free port"). */
function port(options: { allowZero?: boolean } = {}) {
  return integer({ min: options.allowZero === true ? 0 : 1, max: 65535 });
}

export interface DurationOptions {
  /** Shortest accepted, in milliseconds. */
  min?: number;
  /** Longest accepted, in milliseconds. */
  max?: number;
  /**
   * Unit of a bare number (`SESSION_MAX_AGE=86400`). Default: none, a bare
   * number is refused because `30` could mean seconds or milliseconds.
   */
  unit?: DurationUnit;
}

/** A duration like `500ms`, `30s`, `15m`, `2h`, `7d`, `1h30m`, as milliseconds. */
function duration(options: DurationOptions = {}) {
  return z.string().transform((raw, ctx): number => {
    const ms = parseDuration(raw, options.unit);
    if (ms === undefined) {
      return fail(ctx, raw, options.unit === undefined ? 'must be a duration with a unit: 500ms, 30s, 15m, 2h, 7d' : `must be a duration (500ms, 30s, 15m, 2h, 7d) or a number of ${options.unit}`);
    }
    if ((options.min !== undefined && ms < options.min) || (options.max !== undefined && ms > options.max)) {
      return fail(ctx, raw, rangeMessage(options.min, options.max, formatDuration));
    }
    return ms;
  });
}

export interface StringOptions {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Said after "must be" when `pattern` does not match. Default "in the expected format". */
  description?: string;
}

/** A string, trimmed, with optional length bounds and pattern. */
function string(options: StringOptions = {}) {
  return z.string().transform((raw, ctx): string => {
    const value = raw.trim();
    if (options.min !== undefined && value.length < options.min) return fail(ctx, raw, `must be at least ${options.min} characters`);
    if (options.max !== undefined && value.length > options.max) return fail(ctx, raw, `must be at most ${options.max} characters`);
    if (options.pattern !== undefined && !options.pattern.test(value)) return fail(ctx, raw, `must be ${options.description ?? 'in the expected format'}`);
    return value;
  });
}

/** One of `values`, compared case-insensitively; `aliases` maps other spellings (`warning` → `warn`). */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, options: { aliases?: Readonly<Record<string, T[number]>> } = {}) {
  const byLower = new Map<string, T[number]>(values.map((value) => [value.toLowerCase(), value]));
  for (const [alias, value] of Object.entries(options.aliases ?? {})) byLower.set(alias.toLowerCase(), value);
  return z.string().transform((raw, ctx): T[number] => {
    const value = byLower.get(raw.trim().toLowerCase());
    return value ?? fail(ctx, raw, `must be one of ${values.join(', ')}`);
  });
}

export interface UrlOptions {
  /** Accepted schemes, with or without the colon. Default `http`, `https`. */
  protocols?: readonly string[];
}

/** An absolute URL with one of the accepted schemes. The value is the string as given (trimmed). */
function url(options: UrlOptions = {}) {
  const protocols = (options.protocols ?? ['http', 'https']).map((p) => (p.endsWith(':') ? p : `${p}:`));
  return z.string().transform((raw, ctx): string => {
    const value = raw.trim();
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed === undefined) return fail(ctx, raw, 'must be an absolute URL');
    if (!protocols.includes(parsed.protocol)) return fail(ctx, raw, `must be a ${protocols.map((p) => p.slice(0, -1)).join(' or ')} URL`);
    return value;
  });
}

/**
 * A web origin, `scheme://host[:port]`, normalized the way browsers send
 * `Origin` (lower-case host, default port dropped, no trailing slash).
 */
function origin(options: { allowWildcard?: boolean } = {}) {
  return z.string().transform((raw, ctx): string => {
    const value = raw.trim();
    if (options.allowWildcard === true && value === '*') return '*';
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return fail(ctx, raw, 'must be an origin like https://example.com');
    if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
      return fail(ctx, raw, 'must be an origin (scheme, host and port only, no path)');
    }
    return parsed.origin;
  });
}

/**
 * A comma-separated list (newlines also separate, for `_FILE` values; a
 * JSON array of strings is accepted too, as pydantic users write them).
 * Entries are trimmed, empty ones dropped, each parsed by `item`.
 */
function list<T extends z.ZodType<unknown, string>>(item: T) {
  const itemMeta = fieldMeta(item);
  const schema = z.string().transform((raw, ctx): readonly z.output<T>[] => {
    const entries = splitList(raw);
    if (entries === undefined) return fail(ctx, raw, 'must be a comma-separated list or a JSON array of strings');
    const out: z.output<T>[] = [];
    for (const [index, entry] of entries.entries()) {
      const result = item.safeParse(entry);
      if (!result.success) return fail(ctx, itemMeta.secret === true ? '' : raw, `entry ${index + 1} ${result.error.issues[0]?.message ?? 'is invalid'}`);
      out.push(result.data as z.output<T>);
    }
    return Object.freeze(out);
  });
  return itemMeta.secret === true ? tag(schema, { secret: true }) : schema;
}

function splitList(raw: string): string[] | undefined {
  const text = raw.trim();
  if (text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'string')) return undefined;
    return (parsed as string[]).map((entry) => entry.trim()).filter((entry) => entry !== '');
  }
  return text
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** A secret: the value becomes a `Secret`, and no report or error ever shows it. */
function secret(options: { minLength?: number } = {}) {
  const schema = z.string().transform((raw, ctx): Secret => {
    if (options.minLength !== undefined && raw.length < options.minLength) return fail(ctx, '', `must be at least ${options.minLength} characters`);
    return new Secret(raw);
  });
  return tag(schema, { secret: true });
}

/**
 * A connection URL of the given kinds, as a `Secret` (it usually carries a
 * password). Reports show it with the password masked; in production a
 * non-loopback host without TLS is refused unless listed in
 * `ALLOW_INSECURE_CONNECTIONS`.
 */
function connectionUrl(kinds: readonly ConnectionKind[]) {
  const protocols = kinds.flatMap((kind) => CONNECTION_PROTOCOLS[kind]);
  const schema = z.string().transform((raw, ctx): Secret => {
    const value = raw.trim();
    const parsed = URL.canParse(value) ? new URL(value) : undefined;
    if (parsed === undefined) return fail(ctx, '', 'must be a URL');
    if (!protocols.includes(parsed.protocol)) return fail(ctx, '', `must be a ${protocols.map((p) => p.slice(0, -1)).join(', ')} URL`);
    return new Secret(value);
  });
  return tag(schema, { secret: true, connection: kinds });
}

/**
 * Field builders for configuration schemas. Each parses the string an
 * environment variable holds, strictly, and says what it expected when it
 * cannot. Plain zod schemas work too (`z.enum([...])`, `z.string().min(1)`).
 */
export const env = {
  boolean,
  integer,
  number,
  port,
  duration,
  string,
  oneOf,
  url,
  origin,
  list,
  secret,
  /** A PostgreSQL (`postgres://`) or SQLite (`sqlite:`) URL, as a `Secret`. */
  databaseUrl: () => connectionUrl(['postgres', 'sqlite']),
  /** A PostgreSQL URL, as a `Secret`. */
  postgresUrl: () => connectionUrl(['postgres']),
  /** A Redis or Valkey URL (`redis://`, `rediss://`), as a `Secret`. */
  redisUrl: () => connectionUrl(['redis']),
} as const;
