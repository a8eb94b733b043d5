/**
 * `trustProxy`: which peers may tell Sesame the client's address in X-Forwarded-For. The client's
 * address keys the login throttle and the audit trail, so it must be one the client cannot choose:
 *  - `false` (default): the socket's peer is the client; X-Forwarded-* are ignored.
 *  - a hop count N: the N nearest peers are proxies; the client is the Nth address from the right of
 *    X-Forwarded-For (each proxy appends what it saw). Behind one proxy: 1.
 *  - addresses or CIDRs of the proxies (a JSON array, or a comma-separated list in the environment),
 *    or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`: addresses are trusted from the
 *    right while they are proxies; the first one that is not is the client.
 * `true` is refused: Fastify then takes the left-most entry, which the client writes itself.
 */
import { isIP } from 'node:net';

export type TrustProxy = false | number | readonly string[];

const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);
export const TRUST_PROXY_HELP =
  "give the proxies' addresses or CIDRs (behind one proxy: its address), or their number when only they can reach Sesame (docs/deploy.md)";

/**
 * Parses a `trustProxy` value; throws a one-line reason (the caller prefixes the key's origin).
 *
 * @example parseTrustProxy('1') // 1
 * @example parseTrustProxy('10.0.0.0/8, 192.0.2.7') // ['10.0.0.0/8', '192.0.2.7']
 */
export function parseTrustProxy(value: unknown): TrustProxy {
  if (value === false || value === 'false' || value === 0 || value === '0') return false;
  if (value === true || value === 'true') {
    throw new Error(
      `true trusts any client's X-Forwarded-For (it picks the left-most entry): ${TRUST_PROXY_HELP}`,
    );
  }
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
    const hops = Number(value);
    if (!Number.isSafeInteger(hops) || hops < 0 || hops > 100)
      throw new Error('a hop count must be 0 to 100');
    return hops === 0 ? false : hops;
  }
  const entries =
    typeof value === 'string'
      ? value.split(',').map((entry) => entry.trim())
      : Array.isArray(value)
        ? value
        : undefined;
  if (entries === undefined || entries.length === 0) {
    throw new Error(`must be false, a hop count or a list of proxy addresses: ${TRUST_PROXY_HELP}`);
  }
  for (const entry of entries) {
    if (typeof entry !== 'string' || !proxyEntry(entry)) {
      throw new Error(
        `${JSON.stringify(entry)} is not an IP address, a CIDR or loopback/linklocal/uniquelocal`,
      );
    }
  }
  return Object.freeze([...entries] as string[]);
}

function proxyEntry(entry: string): boolean {
  if (NAMED.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
