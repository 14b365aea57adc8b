/** A complete response the pipeline gives instead of calling the handler (a rejection, a CORS preflight). */
export interface Answer {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The adapter's way to read and write its framework's response headers, with no per-request closure. */
export interface HeaderOps<T> {
  get(target: T, name: string): unknown;
  set(target: T, name: string, value: string): void;
  remove(target: T, name: string): void;
  /**
   * Adds a value without replacing the ones already set. Needed for
   * `Set-Cookie`, which cannot be folded into one line (RFC 6265 §3); without
   * it a queued cookie replaces the handler's.
   */
  append?(target: T, name: string, value: string): void;
}
