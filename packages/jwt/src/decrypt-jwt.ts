import type { Algorithm } from './algorithms.js';
import { type ClaimOptions, compileClaims, type JwtPayload, normalizeTyp } from './claims.js';
import { createDecrypter, type DecryptionKeySet, type DecryptOptions, type JweHeader } from './decrypt.js';
import { JwtError } from './errors.js';
import type { KeyManagementAlgorithm } from './jwe-algorithms.js';
import type { JwsHeader } from './jws.js';
import type { KeySet } from './key-sets.js';
import type { Key } from './keys.js';
import { parseJsonObject } from './lib/json.js';
import { createVerifier } from './verify.js';

/**
 * The allow-lists of `decrypt` and the claim checks of `verify`. `typ` is compared with the inner
 * JWS header of a nested JWT, and with the JWE header of an encrypted claims set.
 */
export interface DecryptJwtOptions extends DecryptOptions, ClaimOptions {
  /**
   * For nested JWTs: the key or key set that must verify the inner JWS. When given, a token that
   * is not a nested JWT (`cty: "JWT"`) is refused — an encrypted but unsigned claims set never
   * passes where a signature is expected.
   */
  verificationKey?: Key | KeySet;
  /** The allow-list of the inner JWS's algorithms; required with `verificationKey`. */
  algorithms?: readonly Algorithm[];
}

export interface DecryptJwtResult<P extends JwtPayload = JwtPayload> {
  /** The JWE protected header. */
  header: JweHeader;
  payload: P;
  /** The key that decrypted the token. */
  key: Key<KeyManagementAlgorithm>;
  /** Nested JWTs: the inner JWS's header and the key that verified it. */
  signature?: { header: JwsHeader; key: Key };
}

/** A bound function from `createJwtDecrypter`. */
export type JwtDecrypter = <P extends JwtPayload = JwtPayload>(token: string) => DecryptJwtResult<P>;

/**
 * Validates the options and keys once and returns a function that decrypts JWTs and checks their
 * claims with the same checks as `verify`. With `verificationKey`, the token must be a nested JWT
 * (sign, then encrypt): it is decrypted, then its JWS is verified with `algorithms`, then the claims
 * are checked. Without it, the token must be an encrypted claims set; a nested one is refused, as
 * its signature would go unchecked.
 *
 * @example
 * const decryptIdToken = createJwtDecrypter({
 *   key: ourPrivateKey, keyManagementAlgorithms: ['RSA-OAEP-256'], contentEncryptionAlgorithms: ['A256GCM'],
 *   verificationKey: issuerKeys, algorithms: ['ES256'], issuer: 'https://id.example', audience: 'client-1',
 * });
 * const { payload } = decryptIdToken(token);
 */
export function createJwtDecrypter(
  options: DecryptJwtOptions & { key: Key<KeyManagementAlgorithm> | DecryptionKeySet },
): JwtDecrypter {
  const open = createDecrypter(options);
  const { verificationKey } = options;
  const verifyInner =
    verificationKey === undefined
      ? undefined
      : createVerifier({ ...options, algorithms: options.algorithms as Algorithm[], key: verificationKey });
  const checkClaims = verifyInner === undefined ? compileClaims(options) : undefined;
  return <P extends JwtPayload>(token: string): DecryptJwtResult<P> => {
    const { header, plaintext, key } = open(token);
    const nested = header.cty !== undefined && normalizeTyp(header.cty) === 'jwt';
    if (verifyInner !== undefined) {
      if (!nested) throw new JwtError('ERR_JWE_INVALID', 'expected a nested JWT (signed, then encrypted)');
      const inner = verifyInner<P>(plaintext.toString('latin1'));
      return { header, payload: inner.payload, key, signature: { header: inner.header, key: inner.key } };
    }
    if (nested) throw new JwtError('ERR_JWE_INVALID', 'a nested JWT needs a verificationKey');
    const payload = parseJsonObject(plaintext);
    if (payload === undefined) throw new JwtError('ERR_JWT_INVALID', 'the payload is not a JSON object');
    checkClaims!(payload, header);
    return { header, payload: payload as P, key };
  };
}

/**
 * Decrypts one JWT and checks its claims; see `createJwtDecrypter`.
 *
 * @example
 * const { payload } = decryptJwt(token, privateKey, {
 *   keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'],
 *   verificationKey: issuerPublicKey, algorithms: ['ES256'], audience: 'api',
 * });
 */
export function decryptJwt<P extends JwtPayload = JwtPayload>(
  token: string,
  key: Key<KeyManagementAlgorithm> | DecryptionKeySet,
  options: DecryptJwtOptions,
): DecryptJwtResult<P> {
  return createJwtDecrypter({ ...options, key })<P>(token);
}
