import { malformedHeader, noCredentials } from '../errors.js';

/**
 * RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`, with
 * `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
 * The scheme is case-insensitive (RFC 9110 §11.1).
 */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^([A-Za-z0-9!#$%&'*+\-.^_`|~]+)(?: |$)/;

/** Headers longer than this are refused before any parsing (a JWT is a few hundred bytes). */
const MAX_HEADER_LENGTH = 16 * 1024;

/**
 * The bearer token of an Authorization header value, or a GuardError:
 * absent, empty or another scheme (e.g. Basic) → 401 without an error code (RFC 6750 §3.1: the
 * client "attempted using an unsupported authentication method"); `Bearer` with no token, a token
 * of characters outside b64token, or several header values → 400 invalid_request.
 */
export function bearerToken(header: string | readonly string[] | undefined, realm: string): string {
  if (header === undefined) throw noCredentials(realm);
  if (typeof header !== 'string') {
    if (Array.isArray(header) && header.length === 1 && typeof header[0] === 'string') {
      return bearerToken(header[0], realm);
    }
    // RFC 6750 §3.1: a request that "uses more than one method" is an invalid_request.
    if (Array.isArray(header) && header.length === 0) throw noCredentials(realm);
    throw malformedHeader(realm, 'more than one Authorization header');
  }
  const value = header.trim();
  if (value === '') throw noCredentials(realm);
  if (value.length > MAX_HEADER_LENGTH) throw malformedHeader(realm, 'the Authorization header is too long');
  const match = BEARER.exec(value);
  if (match) return match[1]!;
  const scheme = SCHEME.exec(value)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'bearer') throw noCredentials(realm);
  throw malformedHeader(realm, 'the Authorization header is not "Bearer" followed by one token');
}
