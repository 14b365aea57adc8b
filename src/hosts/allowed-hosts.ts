import { AppError, withoutStack } from '../errors/app-error.js';
import { invalidOption } from '../errors/option-error.js';

/**
 * The host names a service answers to, as `ALLOWED_HOSTS` lists them:
 * `example.com` (any port), `example.com:8443` (that port only),
 * `.example.com` (it and every subdomain), an IP (`127.0.0.1`, `[::1]`), or
 * `*` (any host).
 */
export type AllowedHosts = readonly string[];

/** Whether a request's `Host` header names a host the service answers to. */
export type HostCheck = (host: string | undefined) => boolean;

/**
 * Compiles the allowlist once; undefined when every host is allowed.
 *
 * Why a service wants one: behind a proxy that forwards any `Host`, the
 * header is the attacker's to choose, and apps build absolute URLs from it
 * (password-reset links, redirects, OAuth callbacks, cache keys). DNS
 * rebinding also reaches a service on a private address through a name the
 * attacker owns. Refusing unknown hosts closes both (Django's ALLOWED_HOSTS).
 */
export function compileAllowedHosts(entries: AllowedHosts | undefined): HostCheck | undefined {
  if (entries === undefined) return undefined;
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((entry) => typeof entry === 'string' && entry !== '')) {
    throw invalidOption('allowedHosts', 'a non-empty list of host names', entries);
  }
  if (entries.includes('*')) return undefined;
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const host = withoutTrailingDot(entry.toLowerCase());
    exact.add(host.startsWith('.') ? host.slice(1) : host); // `.example.com` is example.com itself…
    if (host.startsWith('.')) suffixes.push(host); // …and every name ending in it
  }
  let lastAllowed: string | undefined;
  return function hostAllowed(host) {
    if (host === undefined) return false;
    if (host === lastAllowed) return true; // nearly every request names the same host
    const normalized = withoutTrailingDot(host.toLowerCase());
    const name = withoutPort(normalized);
    const allowed = exact.has(normalized) || exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
    if (allowed) lastAllowed = host;
    return allowed;
  };
}

/** The pipeline stage: 400 `HOST_NOT_ALLOWED` for a host not on the list. */
export function hostNotAllowed(): AppError {
  return withoutStack(() => new AppError('HOST_NOT_ALLOWED'));
}

function withoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function withoutTrailingDot(host: string): string {
  // `example.com.` is the same name, fully qualified; before a port too (`example.com.:443`).
  return host.replace(/\.(?=:\d+$|$)/, '');
}
