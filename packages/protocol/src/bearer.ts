import { authorizationValue, refuse } from './lib/header.js';

/**
 * RFC 6750 §2.1, exactly: `credentials = "Bearer" 1*SP b64token`, with
 * `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`; the scheme is
 * case-insensitive (RFC 9110 §11.1).
 *
 * Nothing before `Bearer` and nothing after the token, not even a space. Why: RFC 9110 §5.5 says a
 * field value "does not include leading or trailing whitespace" — the HTTP parser removes that OWS
 * (SP and HTAB; Node's does) before this function sees the value, so a client that sends
 * `Bearer abc ` over HTTP is still served. Anything else at the ends (a no-break space decoded from
 * byte 0xA0, a form feed, a tab left by a caller that built the value itself) is not part of the
 * grammar and is refused, so every reader of the header (server, guard) accepts the same strings.
 */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token of a Bearer Authorization header value, or a ProtocolError:
 * absent or empty → `ERR_CREDENTIALS_MISSING`; another scheme (e.g. Basic) →
 * `ERR_CREDENTIALS_SCHEME` (RFC 6750 §3.1 answers both without an error code); `Bearer` with no
 * token, characters outside b64token, anything around it, several headers or over 16 KiB →
 * `ERR_CREDENTIALS_MALFORMED` (400 invalid_request).
 *
 * @example parseBearer('Bearer eyJhbGciOi...') // 'eyJhbGciOi...'
 */
export function parseBearer(header: string | readonly string[] | undefined): string {
  const value = authorizationValue(header, 'Bearer');
  const match = BEARER.exec(value);
  if (match) return match[1] as string;
  throw refuse(value, 'Bearer');
}
