/**
 * Content encryption (RFC 7518 §5): AES-GCM (§5.3) and AES-CBC with HMAC-SHA-2 (§5.2). The tag
 * length is exact: node:crypto would accept a GCM tag as short as 4 bytes, so any other length is
 * refused before the cipher runs. For CBC-HS the MAC is checked, in constant time, before a single
 * block is decrypted, so a padding error can never be observed (no padding oracle).
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { JwtError } from '../errors.js';
import type { ContentEncryptionSpec } from '../jwe-algorithms.js';

export interface Encrypted {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** The one error of a failed decryption: it never says which check failed. */
export function decryptionFailed(): JwtError {
  return new JwtError('ERR_JWE_DECRYPTION_FAILED', 'the token does not decrypt with the key');
}

/** RFC 7518 §5.2.2.1: M = HMAC(MAC_KEY, A || IV || E || AL), T = the first half of M. */
function cbcTag(
  spec: ContentEncryptionSpec,
  macKey: Buffer,
  aad: Buffer,
  iv: Buffer,
  ciphertext: Buffer,
): Buffer {
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length) * 8n, 0);
  return createHmac(spec.hash!, macKey)
    .update(aad)
    .update(iv)
    .update(ciphertext)
    .update(al)
    .digest()
    .subarray(0, spec.tagBytes);
}

/** Encrypts the plaintext with a fresh random IV; `aad` is the ASCII of the protected header segment. */
export function encryptContent(
  spec: ContentEncryptionSpec,
  cek: Buffer,
  plaintext: Buffer,
  aad: Buffer,
): Encrypted {
  const iv = randomBytes(spec.ivBytes);
  if (spec.mode === 'gcm') {
    const cipher = createCipheriv(spec.cipher as 'aes-128-gcm', cek, iv, { authTagLength: spec.tagBytes });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { iv, ciphertext, tag: cipher.getAuthTag() };
  }
  const half = spec.keyBytes / 2;
  const cipher = createCipheriv(spec.cipher, cek.subarray(half), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cbcTag(spec, cek.subarray(0, half), aad, iv, ciphertext) };
}

/** Decrypts and authenticates; throws ERR_JWE_DECRYPTION_FAILED on any failure. */
export function decryptContent(
  spec: ContentEncryptionSpec,
  cek: Buffer,
  parts: Encrypted,
  aad: Buffer,
): Buffer {
  const { iv, ciphertext, tag } = parts;
  if (cek.length !== spec.keyBytes || iv.length !== spec.ivBytes || tag.length !== spec.tagBytes) {
    throw decryptionFailed();
  }
  try {
    if (spec.mode === 'gcm') {
      const decipher = createDecipheriv(spec.cipher as 'aes-128-gcm', cek, iv, {
        authTagLength: spec.tagBytes,
      });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    }
    const half = spec.keyBytes / 2;
    const expected = cbcTag(spec, cek.subarray(0, half), aad, iv, ciphertext);
    // RFC 7518 §5.2.2.2: the tag is checked first; a mismatch stops before any decryption.
    if (!timingSafeEqual(expected, tag)) throw decryptionFailed();
    const decipher = createDecipheriv(spec.cipher, cek.subarray(half), iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw decryptionFailed();
  }
}
