import type { JwtPayload } from './claims.js';
import { createEncrypter, type EncryptOptions } from './encrypt.js';
import { JwtError } from './errors.js';
import type { KeyManagementAlgorithm } from './jwe-algorithms.js';
import { Key } from './keys.js';
import { type ClaimsToWrite, compileClaimsWriter } from './lib/claims-writer.js';
import { createSigner, type SignOptions } from './sign.js';

export interface EncryptJwtOptions extends EncryptOptions, ClaimsToWrite {
  /**
   * A nested JWT (RFC 7519 §5.2, §A.2): the claims are signed with this key first, and the JWS is
   * encrypted with `cty: "JWT"`. Without it the claims set itself is encrypted (an unsigned JWT:
   * only whoever holds the encryption key could have made it, which for a public key is anyone).
   */
  signingKey?: Key;
  /** Header options of the inner JWS: `alg` (default the signing key's), `kid`, `typ` (default "JWT"), `header`. */
  signing?: Pick<SignOptions, 'alg' | 'kid' | 'typ' | 'header'>;
}

/** A bound function from `createJwtEncrypter`. */
export type JwtEncrypter = (payload: JwtPayload) => string;

/**
 * Validates the options and keys once and returns a function that makes encrypted JWTs: signed,
 * then encrypted, when `signingKey` is given (the form OpenID Connect uses for encrypted ID tokens),
 * otherwise the claims set encrypted with `typ: "JWT"`.
 *
 * @example
 * const encryptIdToken = createJwtEncrypter({
 *   key: clientEncryptionKey, enc: 'A256GCM',
 *   signingKey, issuer: 'https://id.example', audience: 'client-1', expiresIn: '5m',
 * });
 * const token = encryptIdToken({ sub: 'u1' });
 */
export function createJwtEncrypter(
  options: EncryptJwtOptions & { key: Key<KeyManagementAlgorithm> },
): JwtEncrypter {
  if (typeof options !== 'object' || options === null)
    throw new JwtError('ERR_OPTION_INVALID', 'options are required');
  const { signingKey, signing = {}, ...rest } = options;
  if (signingKey === undefined) {
    const writeClaims = compileClaimsWriter(rest);
    const encryptClaims = createEncrypter({ ...rest, typ: rest.typ ?? 'JWT' });
    return (payload) => encryptClaims(writeClaims(payload));
  }
  if (!(signingKey instanceof Key))
    throw new JwtError('ERR_OPTION_INVALID', 'signingKey must come from importKey');
  if (rest.cty !== undefined && rest.cty !== 'JWT') {
    throw new JwtError('ERR_OPTION_INVALID', 'a nested JWT has cty "JWT"');
  }
  const claims: ClaimsToWrite = rest;
  const signClaims = createSigner({ ...claims, ...signing, key: signingKey });
  // RFC 7519 §5.2: cty "JWT" says the plaintext is itself a JWT.
  const encryptJws = createEncrypter({ ...rest, cty: 'JWT' });
  return (payload) => encryptJws(signClaims(payload));
}

/**
 * Makes one encrypted JWT; see `createJwtEncrypter`.
 *
 * @example
 * const token = encryptJwt({ sub: 'u1' }, recipientPublicKey, { enc: 'A256GCM', signingKey, expiresIn: '5m' });
 */
export function encryptJwt(
  payload: JwtPayload,
  key: Key<KeyManagementAlgorithm>,
  options: EncryptJwtOptions,
): string {
  return createJwtEncrypter({ ...options, key })(payload);
}
