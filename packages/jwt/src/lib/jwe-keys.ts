/**
 * The per-use key check of JWE, on the hot path: the key was fully checked when it was made, so
 * only its family and length against this token's algorithms remain. Key families are bound: an
 * RSA signing key never decrypts, an AES key-wrapping key is never a direct key, an A256GCM key
 * never decrypts an A128GCM token.
 */
import { JwtError } from '../errors.js';
import type { ContentEncryptionSpec, KeyManagementAlgorithm, KeyManagementSpec } from '../jwe-algorithms.js';
import { Key } from '../keys.js';

function notThisAlgorithm(): JwtError {
  return new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the key does not belong to this algorithm');
}

/** @internal Throws unless `key` may serve `km` with `enc`, for encrypting or decrypting. */
export function assertJweKeyFits(
  key: Key<KeyManagementAlgorithm>,
  km: KeyManagementSpec,
  enc: ContentEncryptionSpec,
  decrypting: boolean,
): void {
  if (key.family !== km.family) throw notThisAlgorithm();
  if (km.mode === 'aes-kw' || km.mode === 'aes-gcmkw') {
    if (key.secretLength !== km.keyBytes) throw notThisAlgorithm();
  } else if (km.mode === 'dir') {
    // RFC 7518 §5: the CEK length is the enc's; a direct key of another length is another enc's key.
    if (key.secretLength !== enc.keyBytes) throw notThisAlgorithm();
  } else if (decrypting && key.type !== 'private') {
    throw new JwtError('ERR_OPTION_INVALID', 'decrypting needs the private key');
  }
}

/** @internal Checks that a value is a Key made by this library. */
export function assertKey(key: unknown): asserts key is Key<KeyManagementAlgorithm> {
  if (!(key instanceof Key)) throw new JwtError('ERR_OPTION_INVALID', 'the key must come from importKey');
}
