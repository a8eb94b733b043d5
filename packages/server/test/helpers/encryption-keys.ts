/**
 * Client encryption keys for the encrypted-response tests: a key pair made with jose (not with
 * Sesame's own code), its public JWK of use `enc` to register, and its private key to decrypt with.
 */
import type { webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface EncryptionKey {
  /** The public JWK, as a client registers it. */
  jwk: JWK;
  privateKey: webcrypto.CryptoKey;
}

/**
 * @example const { jwk, privateKey } = await encryptionKey('RSA-OAEP-256', 'enc-1');
 */
export async function encryptionKey(
  alg: string,
  kid: string,
  extra: { crv?: string; use?: string | null } = {},
): Promise<EncryptionKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { crv: extra.crv, extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid };
  if (extra.use !== null) jwk.use = extra.use ?? 'enc';
  return { jwk, privateKey };
}
