/**
 * Response headers as received: every line kept, names lower-cased. Node's
 * `response.headers` drops repeated lines of some headers and joins others,
 * but repeated `Content-Security-Policy` lines are separate policies
 * (CSP3 §3.1) and repeated `Set-Cookie` lines separate cookies (RFC 6265 §3).
 */
export class HeaderMap {
  readonly #lines = new Map<string, string[]>();

  static fromRaw(raw: readonly string[]): HeaderMap {
    const map = new HeaderMap();
    for (let i = 0; i + 1 < raw.length; i += 2) map.add(raw[i] as string, raw[i + 1] as string);
    return map;
  }

  static from(headers: Readonly<Record<string, string | readonly string[]>>): HeaderMap {
    const map = new HeaderMap();
    for (const [name, value] of Object.entries(headers)) {
      for (const line of typeof value === 'string' ? [value] : value) map.add(name, line);
    }
    return map;
  }

  add(name: string, value: string): void {
    const key = name.toLowerCase();
    const lines = this.#lines.get(key);
    if (lines === undefined) this.#lines.set(key, [value]);
    else lines.push(value);
  }

  has(name: string): boolean {
    return this.#lines.has(name.toLowerCase());
  }

  /** Every line of a header, in order. */
  all(name: string): readonly string[] {
    return this.#lines.get(name.toLowerCase()) ?? [];
  }

  /** The header's lines joined as RFC 9110 §5.3 combines them; undefined when absent. */
  get(name: string): string | undefined {
    const lines = this.#lines.get(name.toLowerCase());
    return lines === undefined ? undefined : lines.join(', ');
  }

  names(): string[] {
    return [...this.#lines.keys()];
  }

  /** `name: value` for evidence, one line per header line, long values shortened. */
  line(name: string): string | undefined {
    const lines = this.#lines.get(name.toLowerCase());
    if (lines === undefined) return undefined;
    return lines.map((value) => `${name}: ${shorten(value, 200)}`).join('\n');
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries(this.#lines);
  }
}

export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The media type of a `Content-Type` value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}
