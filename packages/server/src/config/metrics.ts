/**
 * The rules of the metrics settings, checked once when the configuration is loaded, so a metrics
 * port that would expose the server's traffic stops the start with one line. Metrics name the
 * clients that get tokens and show when users log in and fail to: off a loopback address they are
 * for the monitoring system only, so a token is required there.
 */

import { isIP } from 'node:net';
import { ConfigError } from './errors.js';
import { envName } from './schema.js';

/** A metricsToken shorter than this is refused: it stands between the network and the metrics. */
export const METRICS_TOKEN_MIN_LENGTH = 16;

/**
 * True for an address only this machine reaches: `localhost`, 127.0.0.0/8, ::1 (and 127.x written
 * as IPv4-mapped IPv6). A wildcard (0.0.0.0, ::) or any other address is reachable from outside.
 *
 * @example isLoopback('127.0.0.1') // true; isLoopback('0.0.0.0') // false
 */
export function isLoopback(host: string): boolean {
  const address = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) === 6) return address === '::1' || /^::ffff:127\.\d+\.\d+\.\d+$/.test(address);
  return false;
}

/**
 * Throws a ConfigError when the metrics settings do not fit together. The token is never named in
 * a message, only its variable.
 *
 * @example checkMetrics({ metricsPort: 9464, metricsHost: '0.0.0.0', metricsToken: '' }); // throws
 */
export function checkMetrics(config: Record<string, unknown>): void {
  const port = Number(config.metricsPort ?? 0);
  const host = String(config.metricsHost ?? '127.0.0.1');
  const token = String(config.metricsToken ?? '');
  if (token !== '' && token.length < METRICS_TOKEN_MIN_LENGTH)
    throw new ConfigError(
      `metricsToken (${envName('metricsToken')}): must be at least ${METRICS_TOKEN_MIN_LENGTH} characters (make one: openssl rand -hex 24)`,
    );
  // RFC 6750 §2.1's b64token: what a scrape can send after `Bearer `.
  if (token !== '' && !/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
    throw new ConfigError(
      `metricsToken (${envName('metricsToken')}): may hold only letters, digits and - . _ ~ + / (then =)`,
    );
  if (port === 0) return;
  if (port === Number(config.port))
    throw new ConfigError(
      `metricsPort (${envName('metricsPort')}): must differ from port: metrics stay off the public listener`,
    );
  if (!isLoopback(host) && token === '')
    throw new ConfigError(
      `metricsHost (${envName('metricsHost')}): ${host} is not a loopback address; set ${envName('metricsToken')} too, as metrics reveal traffic and client ids`,
    );
}
