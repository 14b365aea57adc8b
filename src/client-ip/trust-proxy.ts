import { invalidOption } from '../errors/option-error.js';
import { compileAddressList } from './address-list.js';
import { parseForwarded } from './forwarded.js';
import { normalizeIp, normalizeSocketAddress } from './ip-address.js';

/**
 * Which peers may tell us who the client is.
 * - `false` (default): nobody; the client is the socket address.
 * - a number N: the N proxies nearest to us (N = 1 for one nginx in front).
 * - a list of addresses, CIDRs and presets (`loopback`, `linklocal`, `uniquelocal`):
 *   forwarding headers are read right-to-left while the hop is in the list.
 * `true` ("trust everyone") is refused: it lets any client pick its own IP.
 */
export type TrustProxy = false | number | readonly string[];

/** The parts of a request the resolver reads. */
export interface AddressSource {
  readonly remoteAddress: string | undefined;
  readonly encrypted: boolean;
  header(name: string): string | undefined;
}

export interface ClientAddress {
  readonly ip: string;
  /** HTTPS as the client sent it: TLS on our socket, or a trusted proxy's `proto`. */
  readonly secure: boolean;
}

export type ClientAddressResolver = (source: AddressSource) => ClientAddress;


type IsTrusted = (ip: string, hop: number) => boolean;

/** Compiles `trustProxy` once into the per-request resolver. */
export function createClientAddressResolver(trustProxy: TrustProxy, onUntrustedForwarding?: () => void): ClientAddressResolver {
  if (trustProxy === false) return untrustedResolver(onUntrustedForwarding);
  const isTrusted = compileTrust(trustProxy);
  return function resolveClientAddress(source) {
    return resolveThroughProxies(source, isTrusted);
  };
}

function untrustedResolver(onUntrustedForwarding: (() => void) | undefined): ClientAddressResolver {
  let warned = onUntrustedForwarding === undefined;
  return function resolveSocketAddress(source) {
    if (!warned && (source.header('x-forwarded-for') !== undefined || source.header('forwarded') !== undefined)) {
      warned = true;
      onUntrustedForwarding?.();
    }
    return { ip: normalizeSocketAddress(source.remoteAddress), secure: source.encrypted };
  };
}

function compileTrust(trustProxy: Exclude<TrustProxy, false>): IsTrusted {
  if (typeof trustProxy === 'number') {
    if (!Number.isInteger(trustProxy) || trustProxy < 0 || trustProxy > 32) {
      throw invalidOption('trustProxy', 'false, a hop count from 0 to 32, or a list of addresses/CIDRs', trustProxy);
    }
    return (_ip, hop) => hop < trustProxy;
  }
  if (!Array.isArray(trustProxy)) {
    throw invalidOption('trustProxy', 'false, a hop count, or a list of addresses/CIDRs (true is refused: it lets clients choose their IP)', trustProxy);
  }
  const matches = compileAddressList('trustProxy', trustProxy);
  return (ip) => matches(ip);
}

/**
 * Walks the forwarding chain right-to-left (nearest hop first), stopping at
 * the first hop we do not trust: that hop is the client. Entries left of it
 * were written by the client and are never believed. RFC 7239 `Forwarded`
 * wins over `X-Forwarded-For` when both are present.
 */
function resolveThroughProxies(source: AddressSource, isTrusted: IsTrusted): ClientAddress {
  const peer = normalizeSocketAddress(source.remoteAddress);
  if (!isTrusted(peer, 0)) return { ip: peer, secure: source.encrypted };

  const forwarded = source.header('forwarded');
  let chain: (string | undefined)[];
  let protos: (string | undefined)[] | undefined;
  if (forwarded !== undefined) {
    const elements = parseForwarded(forwarded);
    chain = elements.map((element) => normalizeIp(element.for));
    protos = elements.map((element) => element.proto);
  } else {
    const xff = source.header('x-forwarded-for');
    if (xff === undefined) return { ip: peer, secure: source.encrypted || forwardedProtoIsHttps(source) };
    chain = xff.split(',').map(normalizeIp);
  }

  let ip = peer;
  let clientIndex = -1;
  for (let i = chain.length - 1, hop = 1; i >= 0; i--, hop++) {
    const candidate = chain[i];
    // A hop a trusted proxy could not name (`unknown`, garbage) ends the walk:
    // the last address we could verify stands in for the client.
    if (candidate === undefined) break;
    ip = candidate;
    clientIndex = i;
    if (!isTrusted(candidate, hop)) break;
  }
  const secure = protos !== undefined && clientIndex !== -1 ? protos[clientIndex] === 'https' : source.encrypted || forwardedProtoIsHttps(source);
  return { ip, secure };
}

/** `X-Forwarded-Proto` from the nearest trusted proxy: the last value, as proxies append. */
function forwardedProtoIsHttps(source: AddressSource): boolean {
  const header = source.header('x-forwarded-proto');
  if (header === undefined) return false;
  const comma = header.lastIndexOf(',');
  return (comma === -1 ? header : header.slice(comma + 1)).trim().toLowerCase() === 'https';
}
