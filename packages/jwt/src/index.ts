/**
 * @sesame/jwt — a zero-dependency, strict and fast JWS/JWE/JWT/JWK core on node:crypto.
 *
 * @example
 * import { generateKeyPair, sign, verify } from '@sesame/jwt';
 * const { privateKey, publicKey } = generateKeyPair('ES256');
 * const token = sign({ sub: 'u1' }, privateKey, { expiresIn: '15m', audience: 'api' });
 * const { payload } = verify(token, publicKey, { algorithms: ['ES256'], audience: 'api' });
 *
 * // Encrypted (nested) JWTs: sign, then encrypt to the recipient; decrypt, then verify.
 * const recipient = generateKeyPair('ECDH-ES+A256KW');
 * const jwe = encryptJwt({ sub: 'u1' }, recipient.publicKey, { enc: 'A256GCM', signingKey: privateKey });
 * decryptJwt(jwe, recipient.privateKey, {
 *   keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'],
 *   verificationKey: publicKey, algorithms: ['ES256'],
 * });
 */
export {
  ALGORITHMS,
  type Algorithm,
  type AlgorithmSpec,
  algorithmSpec,
  type KeyFamily,
} from './algorithms.js';
export { base64urlDecode, base64urlEncode, isBase64url } from './base64url.js';
export type { ClaimOptions, JwtPayload } from './claims.js';
export { decode } from './decode.js';
export {
  createDecrypter,
  type Decrypter,
  type DecryptionKeySet,
  type DecryptOptions,
  type DecryptResult,
  decrypt,
  type JweHeader,
} from './decrypt.js';
export {
  createJwtDecrypter,
  type DecryptJwtOptions,
  type DecryptJwtResult,
  decryptJwt,
  type JwtDecrypter,
} from './decrypt-jwt.js';
export {
  type EmbeddedJwkResult,
  type VerifyEmbeddedJwkOptions,
  verifyEmbeddedJwk,
} from './embedded-jwk.js';
export { createEncrypter, type Encrypter, type EncryptOptions, encrypt } from './encrypt.js';
export { createJwtEncrypter, type EncryptJwtOptions, encryptJwt, type JwtEncrypter } from './encrypt-jwt.js';
export { isJwtError, JwtError, type JwtErrorCode } from './errors.js';
export { importKey, type KeyInput } from './import-key.js';
export {
  CONTENT_ENCRYPTION_ALGORITHMS,
  type ContentEncryptionAlgorithm,
  type ContentEncryptionSpec,
  contentEncryptionSpec,
  KEY_MANAGEMENT_ALGORITHMS,
  type KeyManagementAlgorithm,
  type KeyManagementSpec,
  keyManagementSpec,
} from './jwe-algorithms.js';
export { exportJWK, importJWK, type JWK, type JWKS, thumbprint, thumbprintUri } from './jwk.js';
export { DEFAULT_MAX_TOKEN_SIZE, type JwsHeader, signJws, type VerifyJwsOptions, verifyJws } from './jws.js';
export {
  createLocalKeySet,
  type KeySet,
  type LocalDecryptionKeySet,
  type LocalKeySet,
} from './key-sets.js';
export {
  type GenerateKeyPairOptions,
  generateKeyPair,
  generateSecret,
  type ImportKeyOptions,
  Key,
  type KeyAlgorithm,
} from './keys.js';
export { createRemoteKeySet, type RemoteKeySet, type RemoteKeySetOptions } from './remote-key-set.js';
export { createSigner, type Signer, type SignOptions, sign } from './sign.js';
export {
  createVerifier,
  type KeyResolver,
  type Verifier,
  type VerifyOptions,
  type VerifyResult,
  verify,
  verifyAsync,
} from './verify.js';
