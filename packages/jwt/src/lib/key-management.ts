/**
 * JWE key management (RFC 7516 §5.1 steps 1–6 and §5.2 steps 6–10): how the content encryption
 * key (CEK) is made and carried for each mode of the table, and how it is recovered. The two
 * directions sit side by side so a reader sees they mirror each other.
 */
import { Buffer } from 'node:buffer';
import {
  constants,
  createCipheriv,
  createDecipheriv,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { base64urlEncode } from '../base64url.js';
import { JwtError } from '../errors.js';
import type { ContentEncryptionSpec, KeyManagementAlgorithm, KeyManagementSpec } from '../jwe-algorithms.js';
import type { Key } from '../keys.js';
import { aesUnwrap, aesWrap } from './aes-kw.js';
import { concatKdf } from './concat-kdf.js';
import { decryptionFailed } from './content-encryption.js';
import { ephemeralPair, parseEpk, sharedSecret } from './ecdh.js';
import { decodeMember } from './jwe-parts.js';

/** What encrypting needs besides the key: Concat KDF party info for ECDH-ES. */
export interface AgreementInfo {
  apu: Buffer;
  apv: Buffer;
}

export interface WrappedCek {
  cek: Buffer;
  encryptedKey: Buffer;
  /** Header parameters the key management adds: `epk`, `iv`, `tag`. */
  header: Record<string, unknown>;
}

/** @internal ECDH-ES: the derived key is the CEK (AlgorithmID = enc) or the key-encryption key (= alg). */
function derive(km: KeyManagementSpec, enc: ContentEncryptionSpec, z: Buffer, info: AgreementInfo): Buffer {
  return km.mode === 'ecdh-es'
    ? concatKdf(z, enc.keyBytes, enc.enc, info.apu, info.apv)
    : concatKdf(z, km.keyBytes!, km.alg, info.apu, info.apv);
}

function gcmCipher(bytes: number): 'aes-128-gcm' {
  return `aes-${bytes * 8}-gcm` as 'aes-128-gcm';
}

/** Encrypting: makes (or agrees) the CEK and the JWE Encrypted Key for the recipient's key. */
export function wrapCek(
  km: KeyManagementSpec,
  enc: ContentEncryptionSpec,
  key: Key<KeyManagementAlgorithm>,
  info: AgreementInfo,
): WrappedCek {
  switch (km.mode) {
    case 'dir':
      return { cek: key.keyObject.export(), encryptedKey: Buffer.alloc(0), header: {} };
    case 'rsa-oaep': {
      const cek = randomBytes(enc.keyBytes);
      const encryptedKey = publicEncrypt(
        { key: key.verifyKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: km.oaepHash! },
        cek,
      );
      return { cek, encryptedKey, header: {} };
    }
    case 'aes-kw': {
      const cek = randomBytes(enc.keyBytes);
      return { cek, encryptedKey: aesWrap(key.keyObject, cek), header: {} };
    }
    case 'aes-gcmkw': {
      // RFC 7518 §4.7: a fresh 96-bit IV per wrap, carried with the 128-bit tag in the header.
      const cek = randomBytes(enc.keyBytes);
      const iv = randomBytes(12);
      const cipher = createCipheriv(gcmCipher(km.keyBytes!), key.keyObject, iv, { authTagLength: 16 });
      const encryptedKey = Buffer.concat([cipher.update(cek), cipher.final()]);
      return {
        cek,
        encryptedKey,
        header: { iv: base64urlEncode(iv), tag: base64urlEncode(cipher.getAuthTag()) },
      };
    }
    default: {
      const { privateKey, epk } = ephemeralPair(key.curve!);
      const derived = derive(km, enc, sharedSecret(privateKey, key.verifyKey), info);
      if (km.mode === 'ecdh-es') return { cek: derived, encryptedKey: Buffer.alloc(0), header: { epk } };
      const cek = randomBytes(enc.keyBytes);
      return { cek, encryptedKey: aesWrap(derived, cek), header: { epk } };
    }
  }
}

/**
 * Decrypting: recovers the CEK. A failure that would tell a padding or unwrap error apart from a
 * tag error is turned into a random CEK (RFC 7516 §11.5), so every such token fails the same way,
 * at the tag check.
 */
export function unwrapCek(
  km: KeyManagementSpec,
  enc: ContentEncryptionSpec,
  key: Key<KeyManagementAlgorithm>,
  header: Record<string, unknown>,
  encryptedKey: Buffer,
): Buffer {
  const direct = km.mode === 'dir' || km.mode === 'ecdh-es';
  // RFC 7516 §5.2 step 10: with direct encryption or direct key agreement the Encrypted Key is empty.
  if (direct !== (encryptedKey.length === 0)) {
    throw new JwtError(
      'ERR_JWE_INVALID',
      direct ? 'the encrypted key must be empty' : 'the encrypted key is missing',
    );
  }
  switch (km.mode) {
    case 'dir':
      return key.keyObject.export();
    case 'rsa-oaep':
      try {
        const padding = constants.RSA_PKCS1_OAEP_PADDING;
        return privateDecrypt({ key: key.keyObject, padding, oaepHash: km.oaepHash! }, encryptedKey);
      } catch {
        return randomBytes(enc.keyBytes);
      }
    case 'aes-kw':
      return aesUnwrap(key.keyObject, encryptedKey) ?? randomBytes(enc.keyBytes);
    case 'aes-gcmkw': {
      const iv = decodeMember(header, 'iv');
      const tag = decodeMember(header, 'tag');
      if (iv.length !== 12 || tag.length !== 16) throw decryptionFailed();
      try {
        const decipher = createDecipheriv(gcmCipher(km.keyBytes!), key.keyObject, iv, { authTagLength: 16 });
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(encryptedKey), decipher.final()]);
      } catch {
        throw decryptionFailed();
      }
    }
    default: {
      const epk = parseEpk(header.epk, key.curve!);
      const info = {
        apu: header.apu === undefined ? Buffer.alloc(0) : decodeMember(header, 'apu'),
        apv: header.apv === undefined ? Buffer.alloc(0) : decodeMember(header, 'apv'),
      };
      const derived = derive(km, enc, sharedSecret(key.keyObject, epk), info);
      if (km.mode === 'ecdh-es') return derived;
      return aesUnwrap(derived, encryptedKey) ?? randomBytes(enc.keyBytes);
    }
  }
}
