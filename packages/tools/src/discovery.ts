import { ProtocolError, discoverJwksUri as protocolDiscoverJwksUri } from '@sesame/protocol';
import { CliError, EXIT, usage } from './errors.js';

const TIMEOUT_MS = 5_000;

function networkError(message: string): CliError {
  return new CliError('ERR_DISCOVERY', message, EXIT.network);
}

/**
 * Parses a URL given on the command line. Plain http is refused except on loopback (a key set
 * fetched over http from another host can be swapped by anyone on the path) unless asked for.
 */
export function parseHttpUrl(value: string, option: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usage(`${option} is not a valid URL`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && (loopback || allowHttp))) return url;
  throw usage(`${option} must be an https URL (http only for localhost, or with --allow-http)`);
}

/**
 * Finds an issuer's `jwks_uri` by @sesame/protocol's discovery: RFC 8414 metadata first, then
 * OpenID Connect Discovery after a 404; no redirect followed, 256 KiB at most, and the document's
 * `issuer` identical to `issuer` as typed (RFC 8414 §3.3) — the token's `iss` is compared exactly
 * too, so a looser match here would only move the refusal. The jwks_uri then obeys the same
 * https rule as --jwks.
 */
export async function discoverJwksUri(issuer: string, allowHttp: boolean): Promise<URL> {
  let jwksUri: URL;
  try {
    jwksUri = await protocolDiscoverJwksUri(issuer, {
      kinds: ['oauth-authorization-server', 'openid-configuration'],
      timeoutMs: TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof ProtocolError && error.code === 'ERR_DISCOVERY_ISSUER_URL') {
      throw usage(`--issuer: ${error.message}`);
    }
    if (error instanceof ProtocolError) throw networkError(error.message);
    throw error;
  }
  return parseHttpUrl(jwksUri.href, 'the jwks_uri of the issuer', allowHttp);
}
