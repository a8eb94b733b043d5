import { ProtocolError } from './errors.js';

/** Which well-known document: RFC 8414 authorization server metadata, or OpenID Connect Discovery. */
export type MetadataKind = 'oauth-authorization-server' | 'openid-configuration';

/** Metadata documents larger than this are refused (Sesame's is about 2 KiB). */
export const MAX_METADATA_BYTES = 256 * 1024;

export interface DiscoverOptions {
  /** Which documents to try, in order; the next is tried only when one answers 404. Default RFC 8414 alone. */
  kinds?: readonly MetadataKind[];
  fetch?: typeof fetch;
  /** Per request (default 5 s). */
  timeoutMs?: number;
  /** Default {@link MAX_METADATA_BYTES}. */
  maxBytes?: number;
}

/** A metadata document whose `issuer` is the one asked for, and where it was found. */
export interface DiscoveredMetadata {
  metadata: Readonly<Record<string, unknown>> & { issuer: string };
  url: URL;
}

/**
 * RFC 8414 §2: the issuer is an https URL (http is left to the caller's policy) with no query and
 * no fragment.
 */
function issuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ProtocolError('ERR_DISCOVERY_ISSUER_URL', 'the issuer is not a URL');
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search !== '' ||
    url.hash !== '' ||
    /[?#]/.test(issuer)
  ) {
    throw new ProtocolError(
      'ERR_DISCOVERY_ISSUER_URL',
      'the issuer must be an http(s) URL without query or fragment',
    );
  }
  return url;
}

/**
 * Where an issuer's metadata lives. RFC 8414 §3.1 inserts the well-known segment between the host
 * and the issuer's path (`https://host/.well-known/oauth-authorization-server/tenant`); OpenID
 * Connect Discovery §4 appends it (`https://host/tenant/.well-known/openid-configuration`). Both
 * remove a terminating "/" of the path first; that is URL building only — the issuer itself is
 * compared as given.
 *
 * @example metadataUrl('https://id.example') // https://id.example/.well-known/oauth-authorization-server
 */
export function metadataUrl(issuer: string, kind: MetadataKind = 'oauth-authorization-server'): URL {
  const url = issuerUrl(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname =
    kind === 'oauth-authorization-server'
      ? `/.well-known/oauth-authorization-server${path}`
      : `${path}/.well-known/openid-configuration`;
  return url;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ProtocolError('ERR_DISCOVERY_TOO_LARGE', 'the metadata document is too large');
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ProtocolError('ERR_DISCOVERY_TOO_LARGE', 'the metadata document is too large');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Fetches and checks an issuer's metadata: no redirect is followed (a redirect could hand the
 * document to another host), the body is capped, it must be a JSON object, and its `issuer` must
 * be identical to `issuer`, character for character — RFC 8414 §3.3 and OpenID Connect Discovery
 * §4.3, a mix-up defence. With `kinds` of two, a 404 from the first moves to the second.
 *
 * @example const { metadata } = await discoverMetadata('https://id.example');
 */
export async function discoverMetadata(
  issuer: string,
  options: DiscoverOptions = {},
): Promise<DiscoveredMetadata> {
  const kinds = options.kinds ?? ['oauth-authorization-server'];
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? MAX_METADATA_BYTES;
  let lastStatus = 404;
  for (const kind of kinds) {
    const url = metadataUrl(issuer, kind);
    let response: Response;
    try {
      response = await fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error | undefined)?.name === 'TimeoutError';
      throw new ProtocolError(
        'ERR_DISCOVERY_FETCH',
        `${timedOut ? 'timed out fetching' : 'could not fetch'} the metadata at ${url.origin}${url.pathname}`,
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      lastStatus = response.status;
      if (response.status === 404) continue;
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      throw new ProtocolError(
        'ERR_DISCOVERY_STATUS',
        `the metadata at ${url.origin}${url.pathname} answered ${response.status}${redirect}`,
      );
    }
    const text = await readCapped(response, maxBytes);
    let metadata: unknown;
    try {
      metadata = JSON.parse(text);
    } catch {
      throw new ProtocolError(
        'ERR_DISCOVERY_INVALID',
        `the metadata at ${url.origin}${url.pathname} is not JSON`,
      );
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw new ProtocolError('ERR_DISCOVERY_INVALID', 'the metadata is not a JSON object');
    }
    const named = (metadata as { issuer?: unknown }).issuer;
    if (named !== issuer) {
      // Issuers are public: naming both lets a user see a typo such as a trailing "/".
      const shown = typeof named === 'string' ? `"${named.slice(0, 200)}"` : 'no issuer';
      throw new ProtocolError(
        'ERR_DISCOVERY_ISSUER_MISMATCH',
        `the metadata names ${shown}, not "${issuer}" (RFC 8414 §3.3: they must be identical)`,
      );
    }
    return { metadata: metadata as DiscoveredMetadata['metadata'], url };
  }
  throw new ProtocolError('ERR_DISCOVERY_STATUS', `no metadata found for ${issuer} (answered ${lastStatus})`);
}

/**
 * The `jwks_uri` of an issuer's metadata (RFC 8414 §2), an http(s) URL; the caller decides whether
 * plain http is acceptable.
 *
 * @example const jwksUri = await discoverJwksUri('https://id.example');
 */
export async function discoverJwksUri(issuer: string, options: DiscoverOptions = {}): Promise<URL> {
  const { metadata } = await discoverMetadata(issuer, options);
  if (typeof metadata.jwks_uri !== 'string') {
    throw new ProtocolError('ERR_DISCOVERY_INVALID', 'the metadata has no jwks_uri');
  }
  let jwksUri: URL;
  try {
    jwksUri = new URL(metadata.jwks_uri);
  } catch {
    throw new ProtocolError('ERR_DISCOVERY_INVALID', 'the metadata jwks_uri is not a URL');
  }
  if (jwksUri.protocol !== 'https:' && jwksUri.protocol !== 'http:') {
    throw new ProtocolError('ERR_DISCOVERY_INVALID', 'the metadata jwks_uri must be http or https');
  }
  return jwksUri;
}
