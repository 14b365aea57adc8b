/**
 * Content Security Policy parsing and grading (CSP Level 3), written for the
 * Observatory's CSP test. A response can carry several policies (repeated
 * headers, comma-joined lines, `<meta http-equiv>`); a resource loads only
 * if every policy allows it (CSP3 §4.1), so a weakness counts only when no
 * policy closes it.
 */

/** `directive name → source expressions`, lower-cased names, first occurrence wins (CSP3 §2.2.1). */
export type Policy = ReadonlyMap<string, readonly string[]>;

export type CspResult =
  | 'csp-implemented-with-no-unsafe-default-src-none'
  | 'csp-implemented-with-no-unsafe'
  | 'csp-implemented-with-unsafe-inline-in-style-src-only'
  | 'csp-implemented-with-insecure-scheme-in-passive-content-only'
  | 'csp-implemented-with-unsafe-eval'
  | 'csp-implemented-with-unsafe-inline'
  | 'csp-implemented-with-insecure-scheme'
  | 'csp-header-invalid'
  | 'csp-not-implemented';

export interface CspVerdict {
  readonly result: CspResult;
  /** Why, in words a report can show. */
  readonly reasons: readonly string[];
  /** `frame-ancestors` (header policies only) restricts framing to specific sources. */
  readonly frameAncestorsRestricted: boolean;
  /** A `Content-Security-Policy-Report-Only` header was present: it reports but blocks nothing. */
  readonly reportOnly: boolean;
}

/** Sources that allow (nearly) any origin: a policy listing them restricts nothing. */
const OVERLY_BROAD = new Set(['*', 'http:', 'https:', 'ftp:', 'http://*', 'https://*', 'http://*.*', 'https://*.*']);
/** Directives that only load passive content (images, media). */
const PASSIVE = ['img-src', 'media-src'] as const;
/** Directives a `<meta>` policy may not carry (CSP3 §3.3). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);
const DIRECTIVE_NAME = /^[a-z0-9-]+$/;
/** Printable ASCII except `;` and `,` (CSP3 §2.2 serialized-source-list). */
const SOURCE_EXPRESSION = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/**
 * Parses one serialized policy. Returns undefined when it cannot be parsed
 * (a directive name with other characters, a source with forbidden ones, or
 * no directive at all).
 */
export function parsePolicy(text: string): Policy | undefined {
  const policy = new Map<string, string[]>();
  for (const token of text.split(';')) {
    const parts = token.trim().split(/[\t\n\f\r ]+/).filter((part) => part !== '');
    const [rawName, ...sources] = parts;
    if (rawName === undefined) continue;
    const name = rawName.toLowerCase();
    if (!DIRECTIVE_NAME.test(name) || !sources.every((source) => SOURCE_EXPRESSION.test(source))) return undefined;
    if (!policy.has(name)) policy.set(name, sources.map(normalizeSource));
  }
  return policy.size === 0 ? undefined : policy;
}

/** Keywords and schemes are case-insensitive; nonce and hash values are not. */
function normalizeSource(source: string): string {
  const lower = source.toLowerCase();
  if (lower.startsWith("'nonce-") || lower.startsWith("'sha")) return `${lower.slice(0, lower.indexOf('-') + 1)}${source.slice(lower.indexOf('-') + 1)}`;
  return lower;
}

/** Header lines may each hold several comma-separated policies (RFC 9110 §5.3; CSP3 §3.1). */
export function splitPolicies(lines: readonly string[]): string[] {
  return lines.flatMap((line) => line.split(',')).map((policy) => policy.trim()).filter((policy) => policy !== '');
}

const isNonceOrHash = (source: string): boolean => /^'(nonce|sha256|sha384|sha512)-/.test(source);
const isHttpScheme = (source: string): boolean => source === 'http:' || source === 'ftp:' || source.startsWith('http://') || source.startsWith('ftp://');

/**
 * The sources a directive really allows: `'unsafe-inline'` is ignored next to
 * a nonce or hash (CSP3 §6.7.3.3), and `'strict-dynamic'` with a nonce or hash
 * also ignores host and scheme sources and `'self'` (CSP3 §8.2).
 */
function effectiveSources(sources: readonly string[] | undefined): readonly string[] | undefined {
  if (sources === undefined) return undefined;
  if (!sources.some(isNonceOrHash)) return sources;
  const strictDynamic = sources.includes("'strict-dynamic'");
  return sources.filter((source) => {
    if (source === "'unsafe-inline'") return false;
    if (!strictDynamic) return true;
    return source.startsWith("'") && source !== "'self'";
  });
}

interface PolicyTraits {
  scriptUnsafe: boolean;
  objectUnsafe: boolean;
  unsafeEval: boolean;
  insecureActive: boolean;
  insecurePassive: boolean;
  styleUnsafe: boolean;
  defaultNone: boolean;
  frameAncestorsRestricted: boolean;
}

function traitsOf(policy: Policy, secure: boolean, fromHeader: boolean): PolicyTraits {
  const fallback = policy.get('default-src');
  const script = effectiveSources(policy.get('script-src') ?? fallback);
  const object = policy.get('object-src') ?? fallback;
  const style = effectiveSources(policy.get('style-src') ?? fallback);
  const broad = (sources: readonly string[] | undefined): boolean => sources === undefined || sources.some((source) => OVERLY_BROAD.has(source));

  const active: string[] = [...(script ?? [])];
  for (const [name, sources] of policy) {
    if (name !== 'script-src' && !(PASSIVE as readonly string[]).includes(name)) active.push(...sources);
  }
  const passive = PASSIVE.flatMap((name) => policy.get(name) ?? fallback ?? []);
  const frameAncestors = fromHeader ? policy.get('frame-ancestors') : undefined;

  return {
    scriptUnsafe: broad(script) || (script ?? []).some((source) => source === "'unsafe-inline'" || source === 'data:'),
    objectUnsafe: broad(object),
    unsafeEval: (script ?? []).includes("'unsafe-eval'"),
    insecureActive: secure && active.some(isHttpScheme),
    insecurePassive: secure && passive.some(isHttpScheme),
    styleUnsafe: broad(style) || (style ?? []).some((source) => source === "'unsafe-inline'" || source === 'data:'),
    defaultNone: fallback !== undefined && fallback.length === 1 && fallback[0] === "'none'",
    frameAncestorsRestricted: frameAncestors !== undefined && !frameAncestors.some((source) => OVERLY_BROAD.has(source)),
  };
}

/**
 * Grades the policies of one response. `headerLines` are the
 * `Content-Security-Policy` lines, `metaPolicies` the `<meta http-equiv>`
 * contents of an HTML body, `secure` whether the page came over HTTPS.
 */
export function evaluateCsp(headerLines: readonly string[], metaPolicies: readonly string[], secure: boolean, reportOnly: boolean): CspVerdict {
  const headerTexts = splitPolicies(headerLines);
  const metaTexts = splitPolicies(metaPolicies);
  const none = (result: CspResult, reasons: string[]): CspVerdict => ({ result, reasons, frameAncestorsRestricted: false, reportOnly });
  if (headerTexts.length === 0 && metaTexts.length === 0) {
    return none('csp-not-implemented', reportOnly ? ['only Content-Security-Policy-Report-Only is set: it reports violations but blocks nothing'] : ['no Content-Security-Policy header']);
  }
  const traits: PolicyTraits[] = [];
  for (const [texts, fromHeader] of [
    [headerTexts, true],
    [metaTexts, false],
  ] as const) {
    for (const text of texts) {
      const policy = parsePolicy(text);
      if (policy === undefined) return none('csp-header-invalid', [`cannot parse the policy "${text.slice(0, 80)}"`]);
      const usable = fromHeader ? policy : new Map([...policy].filter(([name]) => !HEADER_ONLY.has(name)));
      traits.push(traitsOf(usable, secure, fromHeader));
    }
  }
  // A weakness is real only when every policy has it; a strength when any policy has it.
  const all = (key: keyof PolicyTraits): boolean => traits.every((trait) => trait[key]);
  const any = (key: keyof PolicyTraits): boolean => traits.some((trait) => trait[key]);
  const frameAncestorsRestricted = any('frameAncestorsRestricted');
  const verdict = (result: CspResult, reasons: string[]): CspVerdict => ({ result, reasons, frameAncestorsRestricted, reportOnly });

  if (all('scriptUnsafe') || all('objectUnsafe')) {
    const reasons: string[] = [];
    if (all('scriptUnsafe')) reasons.push("script-src (or default-src) allows 'unsafe-inline', data:, any origin, or is missing");
    if (all('objectUnsafe')) reasons.push('object-src (or default-src) allows any origin or is missing');
    return verdict('csp-implemented-with-unsafe-inline', reasons);
  }
  if (all('insecureActive')) return verdict('csp-implemented-with-insecure-scheme', ['scripts, styles or frames may load over http:']);
  if (all('unsafeEval')) return verdict('csp-implemented-with-unsafe-eval', ["script-src allows 'unsafe-eval'"]);
  if (all('insecurePassive')) return verdict('csp-implemented-with-insecure-scheme-in-passive-content-only', ['images or media may load over http:']);
  if (all('styleUnsafe')) return verdict('csp-implemented-with-unsafe-inline-in-style-src-only', ["style-src allows 'unsafe-inline', data: or any origin"]);
  if (any('defaultNone')) return verdict('csp-implemented-with-no-unsafe-default-src-none', ["default-src 'none' and nothing unsafe"]);
  return verdict('csp-implemented-with-no-unsafe', ['nothing unsafe']);
}
