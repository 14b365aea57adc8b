import { isIP } from 'node:net';

/**
 * A forwarded or socket address as a canonical IP string, or undefined when
 * it is not an IP (`unknown`, an obfuscated RFC 7239 identifier, garbage).
 * Strips ports (`1.2.3.4:5678`, `[::1]:80`) and turns IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`) into plain IPv4, so one client has one key.
 */
export function normalizeIp(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let value = raw.trim();
  if (value.length === 0 || value.length > 64) return undefined;
  if (value.charCodeAt(0) === 91 /* [ */) {
    const end = value.indexOf(']');
    if (end === -1) return undefined;
    value = value.slice(1, end);
  } else {
    const colon = value.indexOf(':');
    if (colon !== -1 && colon === value.lastIndexOf(':') && value.includes('.')) value = value.slice(0, colon);
  }
  const zone = value.indexOf('%');
  if (zone !== -1) value = value.slice(0, zone);
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6) return undefined;
  value = value.toLowerCase();
  return value.startsWith('::ffff:') && isIP(value.slice(7)) === 4 ? value.slice(7) : value;
}

/** The socket's address in canonical form: the fast path when no proxy is trusted. */
export function normalizeSocketAddress(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * The key a rate limiter should count a client under: IPv4 as is, IPv6 masked
 * to its prefix (default /64, the usual size of one subscriber's allocation),
 * because one IPv6 client can rotate through 2^64 addresses for free.
 */
export function ipPrefixKey(ip: string, ipv6PrefixLength = 64): string {
  if (!ip.includes(':')) return ip;
  const hextets = expandIpv6(ip);
  if (hextets === undefined) return ip;
  const full = Math.floor(ipv6PrefixLength / 16);
  const parts: string[] = [];
  for (let i = 0; i < full; i++) parts.push((hextets[i] ?? 0).toString(16));
  const rest = ipv6PrefixLength % 16;
  if (rest > 0) parts.push((((hextets[full] ?? 0) >> (16 - rest)) << (16 - rest)).toString(16));
  return `${parts.join(':')}::/${ipv6PrefixLength}`;
}

function expandIpv6(ip: string): number[] | undefined {
  let text = ip;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const octets = text.slice(lastColon + 1).split('.').map(Number);
    tail.push(((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0));
    text = `${text.slice(0, lastColon)}:`;
    if (text.endsWith('::')) text += '0';
    else text = text.slice(0, -1);
  }
  const [head = '', tailText] = text.split('::') as [string, string | undefined];
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tailText === undefined || tailText === '' ? [] : tailText.split(':');
  const missing = 8 - tail.length - headParts.length - tailParts.length;
  if (missing < 0 || (tailText === undefined && missing !== 0)) return undefined;
  const groups = [...headParts, ...Array<string>(missing).fill('0'), ...tailParts].map((part) => Number.parseInt(part, 16));
  return [...groups, ...tail];
}
