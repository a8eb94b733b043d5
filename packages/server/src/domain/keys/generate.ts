/** Making a new signing key record: a key pair, its thumbprint as kid, both halves as JWK text. */
import { generateKeyPair as generateNodeKeyPair, type KeyObject } from 'node:crypto';
import {
  type Algorithm,
  algorithmSpec,
  exportJWK,
  generateKeyPair,
  importKey,
  type Key,
  thumbprint,
} from '@sesame/jwt';
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
 * The modulus of RSA keys: 2048 bits, RFC 7518 §3.3's minimum and what OpenID providers publish
 * for RS256. Keys rotate every period and sign tokens that live minutes, so the 112-bit strength
 * NIST SP 800-57 rates acceptable through 2030 is plenty, while 3072 bits would cost about 5 times
 * more per signature (every ID token of an RS256 client) and 3 times more to generate.
 */
export const RSA_MODULUS_BITS = 2048;

/**
 * A key pair for `alg`. An RSA key is generated on libuv's thread pool: its search for primes takes
 * a tenth of a second or more, which must not stall the requests a running server is answering.
 */
async function keyPair(alg: KeyringAlgorithm): Promise<{ privateKey: Key; publicKey: Key }> {
  const family = algorithmSpec(alg)?.family;
  if (family !== 'RSA' && family !== 'RSA-PSS') return generateKeyPair(alg as Algorithm);
  const pair = await new Promise<{ privateKey: KeyObject; publicKey: KeyObject }>((resolve, reject) =>
    generateNodeKeyPair('rsa', { modulusLength: RSA_MODULUS_BITS }, (error, publicKey, privateKey) =>
      error ? reject(error) : resolve({ privateKey, publicKey }),
    ),
  );
  return {
    privateKey: importKey(pair.privateKey, alg as Algorithm),
    publicKey: importKey(pair.publicKey, alg as Algorithm),
  };
}

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
  const { privateKey, publicKey } = await keyPair(alg);
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
