/**
 * Which addresses the server may connect to on a client's behalf (a `jwks_uri`): public unicast
 * only. A URL a client registers is an SSRF vector (issue: "never to a private or loopback
 * address"): without this rule, registering `http://169.254.169.254/latest/meta-data/` as a key set
 * URL makes the server fetch a cloud's instance credentials, and `http://127.0.0.1:6379/` speaks to
 * its Redis. The ranges are IANA's special-purpose registries (RFC 6890 and its updates).
 */
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network" (RFC 791); 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local: 169.254.169.254 is the cloud metadata service
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (reaches IPv4 addresses, private ones included)
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only (RFC 6666)
  ['2001::', 23], // IETF protocol assignments (Teredo and others)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds any IPv4 address
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** `::ffff:a.b.c.d` or `::ffff:XXXX:XXXX` as the IPv4 address it stands for. */
function mappedIpv4(address: string): string | undefined {
  const match = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
  if (match === null) return undefined;
  if (match[1] !== undefined) return match[1];
  const high = Number.parseInt(match[2]!, 16);
  const low = Number.parseInt(match[3]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/**
 * True when `address` (an IP address, v4 or v6, without brackets) is public unicast: not loopback,
 * private, link-local, multicast, documentation or otherwise reserved. Not an IP address: false.
 *
 * @example isPublicAddress('169.254.169.254') // false
 * @example isPublicAddress('93.184.215.14')   // true
 */
export function isPublicAddress(address: string): boolean {
  const mapped = mappedIpv4(address);
  if (mapped !== undefined) return isPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  // IPv4-mapped forms were turned into IPv4 above; node's BlockList compares IPv4 addresses in the
  // mapped IPv6 space, so no ::ffff:0:0/96 row is needed (one would match every IPv4 address).
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The URL's host as an IP address when it is one (`[::1]` unbracketed), else undefined. WHATWG URL
 * parsing has already turned `http://2130706433/` and `http://0x7f.1/` into `127.0.0.1`.
 */
export function hostAddress(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return isIP(host) === 0 ? undefined : host;
}
