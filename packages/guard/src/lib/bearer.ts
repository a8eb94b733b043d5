import {
  type AccessTokenCredentials,
  ProtocolError,
  parseAccessTokenCredentials,
  parseBearer,
} from '@sesame/protocol';
import { malformedHeader, noCredentials } from '../errors.js';

/**
 * The bearer token of an Authorization header value (the grammar is @sesame/protocol's
 * parseBearer, RFC 6750 §2.1), or a GuardError: absent, empty or another scheme (e.g. Basic) → 401
 * without an error code (RFC 6750 §3.1: the client "attempted using an unsupported authentication
 * method"); anything else outside the grammar → 400 invalid_request.
 */
export function bearerToken(header: string | readonly string[] | undefined, realm: string): string {
  try {
    return parseBearer(header);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    if (error.code === 'ERR_CREDENTIALS_MALFORMED') throw malformedHeader(realm, error.message);
    throw noCredentials(realm);
  }
}

/**
 * `bearerToken` for a guard that takes DPoP too: the token under the Bearer or the DPoP scheme
 * (@sesame/protocol's parseAccessTokenCredentials, RFC 9449 §7.1), with the same refusals.
 */
export function accessCredentials(
  header: string | readonly string[] | undefined,
  realm: string,
): AccessTokenCredentials {
  try {
    return parseAccessTokenCredentials(header);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    if (error.code === 'ERR_CREDENTIALS_MALFORMED') throw malformedHeader(realm, error.message);
    throw noCredentials(realm);
  }
}
