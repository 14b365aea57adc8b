import { createClientAddressResolver, type AddressSource, type TrustProxy } from '../client-ip/trust-proxy.js';
import { invalidOption } from '../errors/option-error.js';
import type { ResolvedNginxOptions } from './nginx-options.js';
import { cidr, isLoopbackHost } from './nginx-syntax.js';

/** The Rampart `trustProxy` setting that matches a generated nginx config. */
export interface ProxyTrust {
  readonly trustProxy: TrustProxy;
  /** The same setting as a `TRUST_PROXY` environment value. */
  readonly env: string;
  /** The address nginx's connections come from, as the app sees them; undefined over a unix socket. */
  readonly peer: string | undefined;
  readonly notes: readonly string[];
}

const PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Documentation addresses (RFC 5737): a real client, and one a direct caller would claim to be. */
const CLIENT = '203.0.113.7';
const SPOOFED = '198.51.100.66';
const OUTSIDER = '192.0.2.10';

/**
 * What `trustProxy` must be for a config that sends exactly one client address
 * (`X-Forwarded-For: $remote_addr`). Trusting nginx's address, rather than
 * "one hop", keeps a client that reaches the app's port directly from naming
 * its own IP.
 */
export function trustProxyFor(o: ResolvedNginxOptions, proxyAddresses: readonly string[] = []): ProxyTrust {
  const hosts = o.upstreams.map((upstream) => upstream.host);
  const given = proxyAddresses.map((address, i) => (PRESETS.has(address) ? address : cidr(`proxyAddresses[${i}]`, address)));
  if (given.length > 0) {
    const list = hosts.some(isLoopbackHost) && !given.includes('loopback') ? ['loopback', ...given] : given;
    const first = given.find((entry) => !PRESETS.has(entry));
    return trust(list, first === undefined ? '127.0.0.1' : (first.split('/')[0] as string), []);
  }
  if (hosts.every(isLoopbackHost)) return trust(['loopback'], hosts.every((host) => host === '::1') ? '::1' : '127.0.0.1', []);
  if (hosts.every((host) => host === 'unix')) return trust(1, undefined, []);
  return trust(1, '10.0.0.2', [
    'The instances are not on loopback, so trustProxy is a hop count (1): any client that can reach an instance directly can ' +
      "name its own IP. Firewall the instances to nginx only, or pass nginx's address (--proxy-address) for an address list.",
  ]);
}

function trust(trustProxy: TrustProxy, peer: string | undefined, notes: string[]): ProxyTrust {
  return { trustProxy, env: formatTrustProxy(trustProxy), peer, notes };
}

/**
 * `TRUST_PROXY` text, read as Rampart's configuration reads it: `false`/`no`/`0`,
 * a hop count, or a comma-separated list of addresses, CIDRs and presets.
 */
export function parseTrustProxy(text: string): TrustProxy {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'false' || value === 'no' || value === '0') return false;
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'yes') throw invalidOption('trustProxy', 'false, a hop count, or a list of addresses (true is refused: it lets clients choose their IP)', text);
  return value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

export function formatTrustProxy(trustProxy: TrustProxy): string {
  return Array.isArray(trustProxy) ? trustProxy.join(',') : String(trustProxy);
}

function request(remoteAddress: string | undefined, headers: Readonly<Record<string, string>>): AddressSource {
  return { remoteAddress, encrypted: false, header: (name) => headers[name] };
}

/**
 * Checks an app's `trustProxy` against the config by running Rampart's own
 * client-address resolver on the requests nginx will send. Returns the
 * problems found; empty when the two agree.
 */
export function checkTrustProxy(expected: ProxyTrust, actual: TrustProxy): string[] {
  const resolve = createClientAddressResolver(actual);
  const problems: string[] = [];
  const viaNginx = resolve(request(expected.peer, { 'x-forwarded-for': CLIENT, 'x-forwarded-proto': 'https' }));
  if (viaNginx.ip !== CLIENT) {
    problems.push(
      `With trustProxy ${JSON.stringify(actual)} Rampart does not believe nginx: every client appears as ${viaNginx.ip}, ` +
        `so logs and rate limits see one client. Set trustProxy to ${JSON.stringify(expected.trustProxy)} (TRUST_PROXY=${expected.env}).`,
    );
  } else if (!viaNginx.secure) {
    problems.push('Rampart does not see X-Forwarded-Proto: https, so HTTPS-only headers (HSTS) and Secure cookies are off.');
  }
  if (expected.peer !== undefined && expected.trustProxy !== 1) {
    const direct = resolve(request(OUTSIDER, { 'x-forwarded-for': SPOOFED }));
    if (direct.ip === SPOOFED) {
      problems.push(
        `trustProxy ${JSON.stringify(actual)} believes X-Forwarded-For from any peer: a client reaching an instance directly ` +
          `can choose its IP. Trust nginx's address instead: ${JSON.stringify(expected.trustProxy)} (TRUST_PROXY=${expected.env}).`,
      );
    }
  }
  return problems;
}
