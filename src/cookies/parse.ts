/** Most cookies read from one header; later pairs are ignored. Chrome keeps at most 180 per domain. */
export const MAX_COOKIES = 200;

/** RFC 6265 §4.1.1 cookie-name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses a `Cookie` request header into name → raw value, strictly and in
 * linear time: no regular expression runs over the whole header, pairs
 * without `=` or with an invalid name are skipped, at most `maxCookies` are
 * kept, and a name seen twice keeps its first value (RFC 6265 §5.4 sends the
 * most specific cookie first, and a `__Host-` cookie cannot be shadowed by a
 * later one a sibling subdomain planted). Values are not decoded.
 *
 * The result has no prototype, so a cookie named `__proto__` is just a name.
 */
export function parseCookieHeader(header: string | null | undefined, maxCookies: number = MAX_COOKIES): Record<string, string> {
  const cookies = Object.create(null) as Record<string, string>;
  if (header === undefined || header === null || header === '') return cookies;
  const length = header.length;
  let count = 0;
  let start = 0;
  // The next '=' at or after `start`, found once and reused while pairs
  // without one are skipped, so a header of `;a;a;a…` stays linear.
  let equals = -1;
  while (start < length && count < maxCookies) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    if (equals < start) {
      equals = header.indexOf('=', start);
      if (equals === -1) equals = length;
    }
    if (equals < end) {
      const name = header.slice(start, equals).trim();
      if (name !== '' && TOKEN.test(name) && cookies[name] === undefined) {
        let value = header.slice(equals + 1, end).trim();
        // RFC 6265 §4.1.1: a value may be wrapped in double quotes.
        if (value.length >= 2 && value.charCodeAt(0) === 0x22 && value.charCodeAt(value.length - 1) === 0x22) value = value.slice(1, -1);
        cookies[name] = value;
        count++;
      }
    }
    start = end + 1;
  }
  return cookies;
}

/** Percent-decodes a cookie value; undefined when it is not valid percent-encoding. */
export function decodeCookieValue(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function isCookieName(name: string): boolean {
  return TOKEN.test(name);
}
