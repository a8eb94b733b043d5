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
 * The metadata URLs of an issuer, in the order tried: RFC 8414 §3 inserts the well-known path
 * between the host and the issuer's path; OpenID Connect Discovery §4 appends it.
 */
export function metadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, '');
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin),
    new URL(`${path}/.well-known/openid-configuration`, issuer.origin),
  ];
}

async function fetchJson(url: URL): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as Error)?.name === 'TimeoutError';
    throw networkError(`${timedOut ? 'timed out fetching' : 'cannot fetch'} ${url.origin}${url.pathname}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, body: undefined };
  }
  try {
    return { status: 200, body: await response.json() };
  } catch {
    throw networkError(`the metadata at ${url.origin}${url.pathname} is not JSON`);
  }
}

/**
 * Finds an issuer's `jwks_uri` from its metadata (RFC 8414). The document's `issuer` must be the
 * issuer asked for, character for character (RFC 8414 §3.3), or a look-alike could hand out keys.
 */
export async function discoverJwksUri(issuer: URL, allowHttp: boolean): Promise<URL> {
  const expected = issuer.href.replace(/\/$/, '');
  for (const url of metadataUrls(issuer)) {
    const { status, body } = await fetchJson(url);
    if (status === 404) continue;
    if (status !== 200) throw networkError(`${url.origin}${url.pathname} answered ${status}`);
    const metadata = (body ?? {}) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof metadata.issuer !== 'string' || metadata.issuer.replace(/\/$/, '') !== expected) {
      throw networkError('the metadata names another issuer (RFC 8414 §3.3)');
    }
    if (typeof metadata.jwks_uri !== 'string') throw networkError('the issuer metadata has no jwks_uri');
    return parseHttpUrl(metadata.jwks_uri, 'the jwks_uri of the issuer', allowHttp);
  }
  throw networkError(`no authorization server metadata found for ${issuer.origin}`);
}
