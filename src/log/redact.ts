/**
 * Key names whose values never reach a log, matched case-insensitively
 * anywhere in the key (`X-Api-Key`, `refreshToken`, `db_password`).
 */
export const SENSITIVE_KEY = /authorization|cookie|passw|secret|token|api[-_]?key|private[-_]?key|credential|session[-_]?id/i;

export const REDACTED = '[redacted]';

const MAX_DEPTH = 8;

/**
 * Returns `value` with every sensitive key's value replaced, at any depth.
 * Copy-on-write: objects without sensitive keys are returned as they are, so
 * the common case allocates nothing and the caller's objects are never mutated.
 * pino's own `redact` takes fixed paths and is case-sensitive, which cannot
 * express "any key named like a password, wherever the app put it".
 */
export function redactSensitive(value: unknown, isSensitive: (key: string) => boolean, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redactSensitive(item, isSensitive, depth + 1);
      if (redacted !== item) (copy ??= value.slice())[i] = redacted;
    }
    return copy ?? value;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const redacted = isSensitive(key) ? REDACTED : redactSensitive(item, isSensitive, depth + 1);
    if (redacted !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = redacted;
  }
  return copy ?? value;
}

/** The key predicate: the built-in pattern plus the app's own names (exact, case-insensitive). */
export function sensitiveKeyPredicate(extraKeys: readonly string[] = []): (key: string) => boolean {
  const extra = new Set(extraKeys.map((key) => key.toLowerCase()));
  return extra.size === 0 ? (key) => SENSITIVE_KEY.test(key) : (key) => SENSITIVE_KEY.test(key) || extra.has(key.toLowerCase());
}
