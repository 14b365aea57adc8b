import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { invalidOption } from '../errors/option-error.js';

/**
 * Validation for every value written into an nginx config. A value is never
 * quoted or escaped into place: anything that could end a directive or open a
 * block (`;`, `{`, `}`, quotes, whitespace, `$`, `#`, control characters) is
 * refused, so an option can never inject configuration.
 */
const UNSAFE_TOKEN = /[\s;{}'"\\$#\p{Cc}]/u;

/** RFC 1123 labels, plus a leading `*.` wildcard nginx accepts in `server_name`. */
const SERVER_NAME = /^(\*\.)?(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A zone/upstream/variable name: it is also used in `$<name>_…` variables. */
const IDENTIFIER = /^[a-z][a-z0-9_]{0,31}$/;

/** An nginx size: bytes, or with a k/m/g suffix. */
const SIZE = /^(\d{1,12})([kmg]?)$/i;

export function safeToken(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || UNSAFE_TOKEN.test(value)) {
    throw invalidOption(option, 'a value without whitespace, quotes, ";", "{", "}", "$" or "#"', value);
  }
  return value;
}

export function absolutePath(option: string, value: unknown): string {
  const path = safeToken(option, value);
  if (!isAbsolute(path)) throw invalidOption(option, 'an absolute path', value);
  return path;
}

export function serverName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !SERVER_NAME.test(value)) throw invalidOption(option, 'a host name such as "api.example.com"', value);
  return value.toLowerCase();
}

export function identifier(option: string, value: unknown): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) throw invalidOption(option, 'a lower-case identifier ([a-z][a-z0-9_]*, at most 32 characters)', value);
  return value;
}

export function port(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) throw invalidOption(option, 'a port from 1 to 65535', value);
  return value;
}

export function positiveInteger(option: string, value: unknown, max = 2 ** 31): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw invalidOption(option, `an integer from 1 to ${max}`, value);
  return value;
}

/** Bytes → the shortest exact nginx size (`1048576` → `1m`). */
export function nginxSize(bytes: number): string {
  for (const [suffix, unit] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

/** Parses `1048576`, `512k`, `1m`, `1mb` into bytes. */
export function parseSize(option: string, value: unknown): number {
  if (typeof value === 'number') return positiveInteger(option, value, 1024 ** 4);
  const match = typeof value === 'string' ? SIZE.exec(value.replace(/b$/i, '')) : null;
  if (match === null) throw invalidOption(option, 'a size such as 1048576, 512k or 1m', value);
  const multiplier = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return positiveInteger(option, Number(match[1]) * multiplier, 1024 ** 4);
}

/** An upstream address as nginx writes it, and the host part we reason about. */
export interface UpstreamAddress {
  /** `127.0.0.1:3000`, `[::1]:3000`, `app.internal:3000` or `unix:/run/app.sock`. */
  readonly address: string;
  /** The host, or `unix` for a socket: used to tell whether nginx reaches it over loopback. */
  readonly host: string;
}

export function upstreamAddress(option: string, value: unknown): UpstreamAddress {
  const text = safeToken(option, value);
  if (text.startsWith('unix:')) {
    absolutePath(option, text.slice(5));
    return { address: text, host: 'unix' };
  }
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  const portNumber = match === null ? NaN : Number(match[2]);
  if (match === null || !(portNumber >= 1 && portNumber <= 65535)) {
    throw invalidOption(option, 'host:port, [ipv6]:port or unix:/path', value);
  }
  const host = (match[1] as string).replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) serverName(option, host);
  return { address: text, host };
}

/** An address or CIDR for `set_real_ip_from` / `allow`. */
export function cidr(option: string, value: unknown): string {
  const text = safeToken(option, value);
  const [address = '', prefix] = text.split('/');
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= max))) {
    throw invalidOption(option, 'an IP address or CIDR such as 10.0.0.0/8', value);
  }
  return text;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
