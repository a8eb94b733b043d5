/**
 * The one error of @sesame/guard: what to answer a request whose bearer token was not accepted,
 * shaped by RFC 6750 §3 (the WWW-Authenticate response header field) and §3.1 (error codes).
 * A description never contains the token, a secret or a key: it is sent to the caller as it is.
 */

/** RFC 6750 §3.1 error codes, plus `temporarily_unavailable` (RFC 6749 §4.1.2.1) for 503. */
export type GuardErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'temporarily_unavailable'
  /** RFC 9449 §7.1: the DPoP proof is missing or broke a rule. */
  | 'invalid_dpop_proof';

/** Why the guard refused, finer than the RFC code (for logs and tests, never for the client). */
export type GuardReason =
  | 'no_credentials'
  | 'malformed_header'
  | 'token_invalid'
  | 'token_expired'
  | 'token_revoked'
  | 'insufficient_scope'
  | 'keys_unavailable'
  | 'revocation_unavailable'
  /** A DPoP-bound token as Bearer, an unbound one as DPoP, or Bearer where DPoP is required. */
  | 'dpop_scheme'
  /** The DPoP proof broke a rule of RFC 9449 §4.3 (`dpopRule` says which). */
  | 'dpop_proof_invalid'
  /** The DPoP replay cache could not be reached: the proof is refused, 503. */
  | 'dpop_unavailable';

export interface GuardErrorInit {
  status: 400 | 401 | 403 | 503;
  reason: GuardReason;
  error?: GuardErrorCode;
  description?: string;
  realm: string;
  /** For insufficient_scope: the scopes the resource needs (RFC 6750 §3 `scope` attribute). */
  scope?: string;
  /** For 503: seconds after which the client may retry (RFC 9110 §10.2.3). */
  retryAfter?: number;
  /** The challenge's scheme (default Bearer); DPoP challenges carry `algs` (RFC 9449 §7.1). */
  scheme?: 'Bearer' | 'DPoP';
  algs?: readonly string[];
  /** For dpop_proof_invalid: the RFC 9449 rule the proof broke. */
  dpopRule?: string;
}

/**
 * A refused request. Adapters send `status`, the `WWW-Authenticate` header (`wwwAuthenticate`),
 * `Retry-After` when set, and `{ error, error_description }` as the body.
 *
 * @example
 * try { req.auth = await guard.authenticate(req.headers.authorization) }
 * catch (e) { if (e instanceof GuardError) res.status(e.status).set('www-authenticate', e.wwwAuthenticate) }
 */
export class GuardError extends Error {
  override readonly name = 'GuardError';
  readonly status: 400 | 401 | 403 | 503;
  readonly reason: GuardReason;
  /** The RFC 6750 error code; absent when the request carried no credentials (RFC 6750 §3.1). */
  readonly error: GuardErrorCode | undefined;
  readonly description: string | undefined;
  /** The value of the WWW-Authenticate header to send. */
  readonly wwwAuthenticate: string;
  readonly retryAfter: number | undefined;
  /** For `dpop_proof_invalid`: which RFC 9449 rule the proof broke (@sesame/protocol's DpopRule). */
  readonly dpopRule: string | undefined;

  constructor(init: GuardErrorInit) {
    super(init.description ?? init.error ?? 'authentication required');
    this.status = init.status;
    this.reason = init.reason;
    this.error = init.error;
    this.description = init.description;
    this.retryAfter = init.retryAfter;
    this.dpopRule = init.dpopRule;
    this.wwwAuthenticate = challenge(init);
  }

  /** The JSON body an adapter sends (RFC 6749 §5.2 shape); undefined when there is no error code. */
  toJSON(): { error: string; error_description?: string } | undefined {
    if (this.error === undefined) return undefined;
    return this.description === undefined
      ? { error: this.error }
      : { error: this.error, error_description: this.description };
  }
}

/** True when `value` is a GuardError. */
export function isGuardError(value: unknown): value is GuardError {
  return value instanceof GuardError;
}

/**
 * RFC 6750 §3: `Bearer realm="example", error="invalid_token", error_description="..."`.
 * Attribute values are quoted-strings (RFC 9110 §5.6.4): backslash and quote are escaped, and the
 * values we build never contain control characters.
 */
function challenge(init: GuardErrorInit): string {
  const parts = [`realm=${quote(init.realm)}`];
  // RFC 6750 §3.1: "If the request lacks any authentication information ..., the resource server
  // SHOULD NOT include an error code or other error information."
  if (init.error !== undefined && init.error !== 'temporarily_unavailable') {
    parts.push(`error=${quote(init.error)}`);
    if (init.description !== undefined) parts.push(`error_description=${quote(init.description)}`);
    if (init.scope !== undefined) parts.push(`scope=${quote(init.scope)}`);
  }
  // RFC 9449 §7.1: a DPoP challenge names the proof algorithms the resource accepts.
  if (init.scheme === 'DPoP')
    return `DPoP ${[...parts, `algs=${quote((init.algs ?? []).join(' '))}`].join(', ')}`;
  return `Bearer ${parts.join(', ')}`;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, '')}"`;
}

/** 401 without an error code: the request carried no bearer credentials. */
export function noCredentials(realm: string): GuardError {
  return new GuardError({ status: 401, reason: 'no_credentials', realm });
}

/** 400 invalid_request: the Authorization header is not `Bearer <b64token>` (RFC 6750 §2.1). */
export function malformedHeader(realm: string, description: string): GuardError {
  return new GuardError({
    status: 400,
    reason: 'malformed_header',
    error: 'invalid_request',
    description,
    realm,
  });
}

/** 401 invalid_token: bad signature, wrong issuer/audience/type, expired, or revoked. */
export function invalidToken(
  realm: string,
  reason: 'token_invalid' | 'token_expired' | 'token_revoked',
  description: string,
): GuardError {
  return new GuardError({ status: 401, reason, error: 'invalid_token', description, realm });
}

/** 403 insufficient_scope, naming the scopes the resource needs (RFC 6750 §3.1). */
export function insufficientScope(realm: string, scopes: readonly string[]): GuardError {
  return new GuardError({
    status: 403,
    reason: 'insufficient_scope',
    error: 'insufficient_scope',
    description: 'the access token does not carry the scope this resource needs',
    scope: scopes.join(' '),
    realm,
  });
}

/** 503 with Retry-After: the guard cannot currently decide (no keys, or the revocation feed is down). */
export function unavailable(
  realm: string,
  reason: 'keys_unavailable' | 'revocation_unavailable',
  description: string,
  retryAfter: number,
): GuardError {
  return new GuardError({
    status: 503,
    reason,
    error: 'temporarily_unavailable',
    description,
    realm,
    retryAfter,
  });
}
