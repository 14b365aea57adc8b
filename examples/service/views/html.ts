/**
 * HTML built with a tagged template that escapes every interpolated value
 * (OWASP XSS Prevention rule #1: encode for the HTML context on output).
 * Only values wrapped in `trusted()` — markup this code produced — pass
 * through unescaped. User text is stored as typed and encoded here.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export class TrustedHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

export function trusted(value: string): TrustedHtml {
  return new TrustedHtml(value);
}

function render(value: unknown): string {
  if (value instanceof TrustedHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): TrustedHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new TrustedHtml(out);
}
