/**
 * RFC 8414 §3.1: the metadata of issuer `https://host/path` is at
 * `https://host/.well-known/oauth-authorization-server/path` — the well-known segment goes between
 * the host and the issuer's path, and an issuer without a path gets no trailing slash.
 */
export function metadataUrl(issuer: string): URL {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  url.pathname = `/.well-known/oauth-authorization-server${path}`;
  url.search = '';
  url.hash = '';
  return url;
}

/** A failure of discovery; the message names the problem, never a credential. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

const MAX_METADATA_BYTES = 256 * 1024;

/**
 * Fetches the issuer's metadata and returns its `jwks_uri`. RFC 8414 §3.3: "The issuer value
 * returned MUST be identical to the authorization server's issuer identifier value into which the
 * well-known URI string was inserted" — otherwise the document is not used (a mix-up defence).
 */
export async function discoverJwksUri(
  issuer: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<URL> {
  let response: Response;
  try {
    response = await fetchImpl(metadataUrl(issuer), {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new DiscoveryError('the authorization server metadata could not be fetched');
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new DiscoveryError(`the authorization server metadata answered ${response.status}`);
  }
  let metadata: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const text = await response.text();
    if (text.length > MAX_METADATA_BYTES) throw new Error('too large');
    metadata = JSON.parse(text);
  } catch {
    throw new DiscoveryError('the authorization server metadata is not valid JSON');
  }
  if (typeof metadata !== 'object' || metadata === null) {
    throw new DiscoveryError('the authorization server metadata is not a JSON object');
  }
  if (metadata.issuer !== issuer) {
    throw new DiscoveryError('the metadata issuer is not the configured issuer (RFC 8414 §3.3)');
  }
  if (typeof metadata.jwks_uri !== 'string') throw new DiscoveryError('the metadata has no jwks_uri');
  let jwksUri: URL;
  try {
    jwksUri = new URL(metadata.jwks_uri);
  } catch {
    throw new DiscoveryError('the metadata jwks_uri is not a URL');
  }
  if (jwksUri.protocol !== 'https:' && jwksUri.protocol !== 'http:') {
    throw new DiscoveryError('the metadata jwks_uri must be http or https');
  }
  return jwksUri;
}
