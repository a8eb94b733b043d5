/** The stable codes of {@link ProtocolError}; tests and callers branch on these, never on messages. */
export type ProtocolErrorCode =
  /** No Authorization header, or an empty one. */
  | 'ERR_CREDENTIALS_MISSING'
  /** An Authorization header of another scheme than the one expected (e.g. Basic where Bearer is read). */
  | 'ERR_CREDENTIALS_SCHEME'
  /** The expected scheme, but the value breaks its grammar (RFC 6750 §2.1, RFC 7617 §2). */
  | 'ERR_CREDENTIALS_MALFORMED'
  /** A scope string or scope token outside RFC 6749 §3.3. */
  | 'ERR_SCOPE_MALFORMED'
  /** The issuer identifier is not an http(s) URL without query and fragment (RFC 8414 §2). */
  | 'ERR_DISCOVERY_ISSUER_URL'
  /** The metadata could not be fetched (network, timeout, redirect refused). */
  | 'ERR_DISCOVERY_FETCH'
  /** The metadata endpoint answered a status other than 200. */
  | 'ERR_DISCOVERY_STATUS'
  /** The metadata document is larger than the cap. */
  | 'ERR_DISCOVERY_TOO_LARGE'
  /** The metadata is not a JSON object, or a member has the wrong type. */
  | 'ERR_DISCOVERY_INVALID'
  /** The metadata names another issuer (RFC 8414 §3.3, OpenID Connect Discovery §4.3). */
  | 'ERR_DISCOVERY_ISSUER_MISMATCH'
  /** A DPoP proof broke a rule of RFC 9449 §4.3 (DpopProofError says which): invalid_dpop_proof. */
  | 'ERR_DPOP_PROOF'
  /** The proof lacks the server's current nonce (RFC 9449 §8): use_dpop_nonce. */
  | 'ERR_DPOP_NONCE'
  /** A DPoP-bound token presented as a Bearer token, or an unbound one as DPoP (RFC 9449 §7.1). */
  | 'ERR_DPOP_TOKEN';

/**
 * The one error of @sesame/protocol. Its message names the problem, never a token, a secret or a
 * credential; each caller maps the `code` to its own answer (an OAuth error, a guard refusal, a CLI
 * exit code).
 *
 * @example
 * try { parseBearer(header) } catch (e) { if (e instanceof ProtocolError && e.code === 'ERR_CREDENTIALS_MISSING') ... }
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
