import { ProtocolError } from './errors.js';

/**
 * Which RFC 9449 rule a DPoP proof or a DPoP-bound request broke. Tests assert the rule, so a proof
 * refused for the wrong reason is not counted as a check seen failing.
 */
export type DpopRule =
  /** No proof where one is needed (a DPoP-bound token, a client registered to require DPoP). */
  | 'missing'
  /** §4.3 point 1: more than one DPoP header, or one that is not a compact JWS. */
  | 'header'
  /** §4.3 points 2–4: not a well-formed JWS with `typ: dpop+jwt` and a JSON payload. */
  | 'jws'
  /** §4.3 point 5: `alg` not an allowed asymmetric algorithm (`none`, HS256). */
  | 'alg'
  /** §4.3 point 7: no `jwk`, one holding a private key, or one unfit for `alg`. */
  | 'jwk'
  /** §4.3 point 6: the signature does not verify under the `jwk`. */
  | 'signature'
  /** §4.2: `jti` missing or not a short string. */
  | 'jti'
  /** §4.3 point 8: `htm` is not the request's method. */
  | 'htm'
  /** §4.3 point 9: `htu` is not the request's URL without query and fragment. */
  | 'htu'
  /** §4.3 point 11: `iat` missing or outside the window. */
  | 'iat'
  /** §4.3 point 12 / §7.1: `ath` missing or not the hash of the presented access token. */
  | 'ath'
  /** §4.3 point 10 / §8: the server's nonce is missing or no longer current. */
  | 'nonce'
  /** §11.1: this `jti` was already accepted within the window, for the same key. */
  | 'replay'
  /** §7.1 / §5: the proof's key is not the one the token (or refresh token, code) is bound to. */
  | 'binding'
  /** §7.1: a DPoP-bound token presented as a Bearer token, or an unbound one under the DPoP scheme. */
  | 'scheme';

/**
 * The refusal of a DPoP proof or of a DPoP-bound request; `code` is the ProtocolError code
 * (`ERR_DPOP_NONCE` for the nonce, `ERR_DPOP_TOKEN` for the scheme, `ERR_DPOP_PROOF` for the rest).
 *
 * @example if (error instanceof DpopProofError && error.rule === 'replay') audit('dpop.replay');
 */
export class DpopProofError extends ProtocolError {
  readonly rule: DpopRule;

  constructor(rule: DpopRule, message: string) {
    super(
      rule === 'nonce' ? 'ERR_DPOP_NONCE' : rule === 'scheme' ? 'ERR_DPOP_TOKEN' : 'ERR_DPOP_PROOF',
      message,
    );
    this.rule = rule;
  }

  /**
   * The OAuth error name (RFC 9449 §5, §7.1, §8, §9): `use_dpop_nonce` for the nonce,
   * `invalid_token` for a token under the wrong scheme, `invalid_dpop_proof` for every other rule.
   */
  get error(): 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token' {
    if (this.rule === 'nonce') return 'use_dpop_nonce';
    if (this.rule === 'scheme') return 'invalid_token';
    return 'invalid_dpop_proof';
  }
}
