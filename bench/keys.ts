/**
 * The key material of one benchmark run, made once with node:crypto and handed to every contender in
 * the form its documentation calls fastest. One RSA key serves RS* and PS*.
 */
import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes, webcrypto } from 'node:crypto';
import type { Algorithm } from '@sesame/jwt';
import * as jose from 'jose';

export interface KeyMaterial {
  alg: Algorithm;
  /** Signs: the HMAC secret or the private key. */
  signKey: KeyObject;
  /** Verifies: the HMAC secret or the public key. */
  verifyKey: KeyObject;
  /** PEM text (asymmetric) or raw bytes (HMAC): what fast-jwt's documentation passes as `key`. */
  signPem: string | Buffer;
  verifyPem: string | Buffer;
  /** jose's own CryptoKeys, imported once through jose.importJWK. */
  joseSignKey: webcrypto.CryptoKey | Uint8Array;
  joseVerifyKey: webcrypto.CryptoKey | Uint8Array;
}

const HMAC_BYTES = { HS256: 32, HS384: 48, HS512: 64 } as const;
const CURVES = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' } as const;

let rsa: { privateKey: KeyObject; publicKey: KeyObject } | undefined;

function pair(alg: Algorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    rsa ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return rsa;
  }
  if (alg in CURVES) return generateKeyPairSync('ec', { namedCurve: CURVES[alg as keyof typeof CURVES] });
  return generateKeyPairSync('ed25519');
}

export async function makeKeys(alg: Algorithm): Promise<KeyMaterial> {
  if (alg in HMAC_BYTES) {
    const raw = randomBytes(HMAC_BYTES[alg as keyof typeof HMAC_BYTES]);
    const secret = createSecretKey(raw);
    // jose.importJWK returns a secret as bytes, which jose imports into WebCrypto again on every
    // call; a CryptoKey made once is the fast form its documentation allows.
    const joseKey = await webcrypto.subtle.importKey(
      'raw',
      raw,
      { name: 'HMAC', hash: `SHA-${alg.slice(2)}` },
      false,
      ['sign', 'verify'],
    );
    return {
      alg,
      signKey: secret,
      verifyKey: secret,
      signPem: raw,
      verifyPem: raw,
      joseSignKey: joseKey,
      joseVerifyKey: joseKey,
    };
  }
  const { privateKey, publicKey } = pair(alg);
  return {
    alg,
    signKey: privateKey,
    verifyKey: publicKey,
    signPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    verifyPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
    joseSignKey: await jose.importJWK(privateKey.export({ format: 'jwk' }), alg),
    joseVerifyKey: await jose.importJWK(publicKey.export({ format: 'jwk' }), alg),
  };
}
