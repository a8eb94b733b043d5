/**
 * Every failure of @sesame/jwt is a `JwtError` with a stable `code`. Tests and callers branch on the
 * code, never on the message; a message never contains a token, a secret or key material.
 *
 * @example
 * try { verify(token, key, { algorithms: ['ES256'] }) }
 * catch (e) { if (e instanceof JwtError && e.code === 'ERR_JWT_EXPIRED') refresh() }
 */
export type JwtErrorCode =
  /** The token's `exp` is in the past (beyond the clock tolerance). */
  | 'ERR_JWT_EXPIRED'
  /** The token's `nbf` is in the future, or its `iat` is (beyond the clock tolerance). */
  | 'ERR_JWT_NOT_YET_VALID'
  /** `aud` does not match the expected audience, or is missing or of the wrong type. */
  | 'ERR_JWT_AUDIENCE'
  /** `iss` does not match the expected issuer, or is missing or of the wrong type. */
  | 'ERR_JWT_ISSUER'
  /** Another claim is missing, of the wrong type or of the wrong value (`claim` names it). */
  | 'ERR_JWT_CLAIM_INVALID'
  /** The payload is not a JSON object (a JWT must carry a claims set). */
  | 'ERR_JWT_INVALID'
  /** The token exceeds the configured size limit; nothing was decoded. */
  | 'ERR_JWT_TOO_LARGE'
  /** The compact serialization or its header is malformed, or the header is not acceptable. */
  | 'ERR_JWS_INVALID'
  /** The signature does not verify with the key. */
  | 'ERR_JWS_SIGNATURE'
  /** The compact JWE or its header is malformed, or the header is not acceptable (an `epk` off its curve). */
  | 'ERR_JWE_INVALID'
  /**
   * The JWE does not decrypt with the key: the authentication tag, the key unwrap or the padding
   * failed. One code for every such failure, so a caller (or an attacker) cannot tell them apart.
   */
  | 'ERR_JWE_DECRYPTION_FAILED'
  /** The algorithm is not in the allow-list, unknown, or does not belong to the key. */
  | 'ERR_JOSE_ALG_NOT_ALLOWED'
  /**
   * A feature that Sesame refuses on purpose or does not implement (`b64: false`, unknown `crit`,
   * JWE `zip`, `RSA1_5`, `PBES2-*`).
   */
  | 'ERR_JOSE_NOT_SUPPORTED'
  /** A key could not be imported, or is refused (too short, too small, wrong curve, wrong use). */
  | 'ERR_JWK_INVALID'
  /** No key of the key set matches the token's header. */
  | 'ERR_JWKS_NO_MATCH'
  /** More than one key of the key set matches and none verifies. */
  | 'ERR_JWKS_MULTIPLE_MATCHES'
  /** Fetching a remote key set timed out. */
  | 'ERR_JWKS_TIMEOUT'
  /** Fetching a remote key set failed (network, status, content, redirect). */
  | 'ERR_JWKS_FETCH'
  /** An option passed to a function is invalid (caught when a signer or verifier is created). */
  | 'ERR_OPTION_INVALID';

/** The error thrown by every function of @sesame/jwt. `claim` is set for claim errors. */
export class JwtError extends Error {
  override readonly name = 'JwtError';
  readonly code: JwtErrorCode;
  readonly claim: string | undefined;

  constructor(code: JwtErrorCode, message: string, claim?: string) {
    super(message);
    this.code = code;
    this.claim = claim;
  }
}

/** True when `value` is a `JwtError`, optionally with the given code. */
export function isJwtError(value: unknown, code?: JwtErrorCode): value is JwtError {
  return value instanceof JwtError && (code === undefined || value.code === code);
}
