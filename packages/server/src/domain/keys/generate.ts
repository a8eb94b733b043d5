/** Making a new signing key record: a key pair, its thumbprint as kid, both halves as JWK text. */
import { type Algorithm, exportJWK, generateKeyPair, thumbprint } from '@sesame/jwt';
import type { KeyCipher } from '../../store/key-sealing.js';
import type { SigningKey } from '../../store/types.js';

/** The asymmetric algorithms the keyring can generate keys for. */
export const KEYRING_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type KeyringAlgorithm = (typeof KEYRING_ALGORITHMS)[number];

/**
 * A new key in state `next`. The kid is the RFC 7638 thumbprint of the public key: unique, stable,
 * and saying nothing about when or where it was made. The public JWK carries `use: "sig"` and
 * `alg`, so verifiers never guess (RFC 8725 §3.1).
 *
 * @example const record = await newSigningKey('ES256', identityKeyCipher, Date.now());
 */
export async function newSigningKey(
  alg: KeyringAlgorithm,
  cipher: KeyCipher,
  now: number,
): Promise<SigningKey> {
  const { privateKey, publicKey } = generateKeyPair(alg as Algorithm);
  const kid = thumbprint(publicKey);
  const publicJwk = { ...exportJWK(publicKey), kid, alg, use: 'sig' };
  const privateJwk = { ...exportJWK(privateKey, { private: true }), kid, alg };
  return {
    kid,
    alg,
    privateJwk: await cipher.encrypt(JSON.stringify(privateJwk)),
    publicJwk: JSON.stringify(publicJwk),
    state: 'next',
    createdAt: now,
    activatedAt: null,
    retiredAt: null,
    expiresAt: null,
  };
}
