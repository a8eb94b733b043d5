import { Buffer } from 'node:buffer';
import {
  constants,
  createHmac,
  sign as cryptoSign,
  verify as cryptoVerify,
  timingSafeEqual,
} from 'node:crypto';
import type { AlgorithmSpec } from '../algorithms.js';
import type { Key } from '../keys.js';

/**
 * The signature primitives, straight onto node:crypto (OpenSSL). ECDSA signatures are JOSE's raw
 * r||s (RFC 7518 §3.4), which node calls ieee-p1363; PSS uses a salt as long as the hash (§3.5).
 */
function asymmetricOptions(spec: AlgorithmSpec) {
  switch (spec.family) {
    case 'RSA-PSS':
      return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.hashBytes };
    case 'EC':
      return { dsaEncoding: 'ieee-p1363' as const };
    default:
      return {};
  }
}

/** Signs the ASCII signing input and returns the base64url signature. */
export function signInput(spec: AlgorithmSpec, key: Key, signingInput: string): string {
  if (spec.family === 'HMAC') {
    return createHmac(spec.hash!, key.keyObject).update(signingInput, 'latin1').digest('base64url');
  }
  const data = Buffer.from(signingInput, 'latin1');
  return cryptoSign(spec.hash, data, { key: key.keyObject, ...asymmetricOptions(spec) }).toString(
    'base64url',
  );
}

/** Verifies a decoded signature over the ASCII signing input. Never throws: a failure is false. */
export function verifyInput(spec: AlgorithmSpec, key: Key, signingInput: string, signature: Buffer): boolean {
  try {
    if (spec.family === 'HMAC') {
      if (signature.length !== spec.hashBytes) return false;
      const expected = createHmac(spec.hash!, key.keyObject).update(signingInput, 'latin1').digest();
      return timingSafeEqual(expected, signature);
    }
    // Raw r||s has one exact length; a DER-encoded or truncated signature is not JOSE.
    if (spec.signatureBytes !== undefined && signature.length !== spec.signatureBytes) return false;
    const data = Buffer.from(signingInput, 'latin1');
    return cryptoVerify(spec.hash, data, { key: key.verifyKey, ...asymmetricOptions(spec) }, signature);
  } catch {
    return false;
  }
}
