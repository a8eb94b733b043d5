/**
 * The errors a business step raises, in OAuth's words (RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009
 * §2.2.1): grants and domain steps throw them, and the HTTP layer's one error handler writes them
 * (http/oauth/errors.ts). Nothing here knows about HTTP frameworks.
 */

/**
 * The error codes of RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, OpenID Connect Core §3.1.2.6
 * (the request objects Sesame refuses), RFC 9449 (DPoP), plus `server_error`.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  /** RFC 9126 §4 / Core §3.1.2.6: the request_uri is unknown, expired, used or another client's. */
  | 'invalid_request_uri'
  | 'not_found'
  | 'slow_down'
  | 'temporarily_unavailable'
  /** RFC 9449 §5, §7.1: a DPoP proof is missing or broke a rule of §4.3. */
  | 'invalid_dpop_proof'
  /** RFC 9449 §8, §9: retry with the nonce of the DPoP-Nonce header. */
  | 'use_dpop_nonce'
  /** RFC 7591 §3.2.2: a registration's redirect URI or other metadata is refused. */
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  /** RFC 7591 §3.2.2: Sesame approves no software statement. */
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  | 'server_error';

export interface OAuthErrorOptions {
  /** HTTP status; defaults by code (400, 401 for invalid_client/invalid_token, 403 insufficient_scope). */
  status?: number;
  /** Extra response headers, e.g. WWW-Authenticate or Retry-After. */
  headers?: Record<string, string>;
}

const DEFAULT_STATUS: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  access_denied: 403,
  not_found: 404,
  slow_down: 429,
  temporarily_unavailable: 503,
  server_error: 500,
};

/**
 * The one HTTP error of the server: an RFC 6749 §5.2 / RFC 6750 §3 error with its status and
 * headers. The description is for developers; it never contains a token, a secret or a password.
 *
 * @example throw new OAuthError('invalid_grant', 'the refresh token is not valid');
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly error: OAuthErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(error: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description);
    this.error = error;
    this.status = options.status ?? DEFAULT_STATUS[error] ?? 400;
    this.headers = options.headers ?? {};
  }

  /** RFC 6749 §5.2 body; error_description uses only %x20-21 / %x23-5B / %x5D-7E. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return {
      error: this.error,
      error_description: this.message.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' '),
    };
  }
}
