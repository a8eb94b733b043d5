import { ProtocolError, parseBearer } from '@sesame/protocol';
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
