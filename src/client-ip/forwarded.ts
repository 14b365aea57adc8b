/** One element of an RFC 7239 `Forwarded` header: what one proxy saw. */
export interface ForwardedElement {
  readonly for: string | undefined;
  readonly proto: string | undefined;
}

/**
 * Parses `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::17]:4711"`.
 * Malformed elements keep their position with `for` undefined, so hop counts
 * stay aligned and a garbage hop is treated as untrusted, never skipped.
 */
export function parseForwarded(header: string): ForwardedElement[] {
  const elements: ForwardedElement[] = [];
  for (const element of splitOutsideQuotes(header, ',')) {
    let forValue: string | undefined;
    let proto: string | undefined;
    for (const pair of splitOutsideQuotes(element, ';')) {
      const eq = pair.indexOf('=');
      if (eq === -1) continue;
      const name = pair.slice(0, eq).trim().toLowerCase();
      const value = unquote(pair.slice(eq + 1).trim());
      if (name === 'for') forValue = value;
      else if (name === 'proto') proto = value.toLowerCase();
    }
    elements.push({ for: forValue, proto });
  }
  return elements;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replaceAll('\\"', '"') : value;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"' && text[i - 1] !== '\\') quoted = !quoted;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
