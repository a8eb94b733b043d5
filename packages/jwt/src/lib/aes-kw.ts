/**
 * AES Key Wrap (RFC 3394) as JWE uses it for A128KW/A192KW/A256KW and ECDH-ES+AxxxKW
 * (RFC 7518 §4.4, §4.6): node:crypto's `id-aesNNN-wrap` ciphers with the RFC 3394 §2.2.3.1
 * default initial value, whose check on unwrap is the integrity check of the wrapped key.
 */
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';

const DEFAULT_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

function cipherName(kek: KeyObject | Buffer): string {
  const bytes = Buffer.isBuffer(kek) ? kek.length : kek.symmetricKeySize!;
  return `id-aes${bytes * 8}-wrap`;
}

/** Wraps a CEK (a multiple of 8 bytes, at least 16) with a 16-, 24- or 32-byte key-encryption key. */
export function aesWrap(kek: KeyObject | Buffer, cek: Buffer): Buffer {
  const cipher = createCipheriv(cipherName(kek), kek, DEFAULT_IV);
  return Buffer.concat([cipher.update(cek), cipher.final()]);
}

/**
 * Unwraps a wrapped CEK; undefined when the integrity check fails or the input is not a valid
 * wrapped key (RFC 3394 §2.2.3: at least 24 bytes, a multiple of 8).
 */
export function aesUnwrap(kek: KeyObject | Buffer, wrapped: Buffer): Buffer | undefined {
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) return undefined;
  try {
    const decipher = createDecipheriv(cipherName(kek), kek, DEFAULT_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    return undefined;
  }
}
