import { BlockList, isIP } from 'node:net';
import { invalidOption } from '../errors/option-error.js';
import { normalizeIp } from './ip-address.js';

/** Named address ranges accepted wherever a list of addresses is (trusted proxies, admin allowlist, rate-limit exemptions). */
export const ADDRESS_PRESETS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  // RFC 1918 and RFC 4193: the addresses of a private network.
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
});

/** Tests a canonical IP (see `normalizeIp`) against a compiled list. */
export type AddressMatcher = (ip: string) => boolean;

/**
 * Compiles addresses, CIDRs and preset names into one matcher, once, on
 * Node's `BlockList`. A bad entry throws a coded error naming `option`.
 */
export function compileAddressList(option: string, entries: unknown): AddressMatcher {
  if (!Array.isArray(entries)) throw invalidOption(option, 'a list of addresses, CIDRs or presets', entries);
  const list = new BlockList();
  const add = (entry: unknown): void => {
    if (typeof entry !== 'string') throw invalidOption(`${option}[]`, 'an address, a CIDR or a preset name', entry);
    const preset = ADDRESS_PRESETS[entry];
    if (preset !== undefined) return preset.forEach(add);
    const [address = '', prefixText] = entry.split('/');
    const ip = normalizeIp(address);
    const family = ip === undefined ? 0 : isIP(ip);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
    if (ip === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix) {
      throw invalidOption(`${option}[]`, `an address, a CIDR or one of ${Object.keys(ADDRESS_PRESETS).join(', ')}`, entry);
    }
    list.addSubnet(ip, prefix, family === 4 ? 'ipv4' : 'ipv6');
  };
  entries.forEach(add);
  return function matchesAddress(ip) {
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}
