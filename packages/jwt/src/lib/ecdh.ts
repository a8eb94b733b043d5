/**
 * ECDH-ES key agreement (RFC 7518 §4.6, RFC 8037 §3.2): the ephemeral public key (`epk`) is
 * checked before it is used. It must be on the recipient key's curve, and on that curve at all:
 * node:crypto's JWK import refuses a point that does not satisfy the curve equation, which is what
 * stops the invalid-curve attack (a point on a weak curve that leaks the private key bit by bit).
 */
import { Buffer } from 'node:buffer';
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { isBase64url } from '../base64url.js';
import { JwtError } from '../errors.js';
import { decryptionFailed } from './content-encryption.js';

/** Coordinate sizes of the curves ECDH-ES uses. */
const COORDINATE_BYTES: Readonly<Record<string, number>> = {
  'P-256': 32,
  'P-384': 48,
  'P-521': 66,
  X25519: 32,
};

function invalidEpk(message: string): JwtError {
  return new JwtError('ERR_JWE_INVALID', message);
}

function coordinate(epk: Record<string, unknown>, name: string, bytes: number): string {
  const value = epk[name];
  if (typeof value !== 'string' || !isBase64url(value) || Buffer.byteLength(value, 'base64url') !== bytes) {
    throw invalidEpk(`the epk member ${name} is missing or malformed`);
  }
  return value;
}

/** The `epk` header parameter as a public key on `curve` (the recipient key's curve), or a JwtError. */
export function parseEpk(epk: unknown, curve: string): KeyObject {
  if (typeof epk !== 'object' || epk === null || Array.isArray(epk)) {
    throw invalidEpk('the header has no epk object');
  }
  const jwk = epk as Record<string, unknown>;
  if (jwk.crv !== curve) throw invalidEpk('the epk is not on the curve of the key');
  const okp = curve === 'X25519';
  if (jwk.kty !== (okp ? 'OKP' : 'EC')) throw invalidEpk('the epk kty does not match its curve');
  if (jwk.d !== undefined) throw invalidEpk('the epk must be a public key');
  const size = COORDINATE_BYTES[curve]!;
  const clean: Record<string, string> = {
    kty: okp ? 'OKP' : 'EC',
    crv: curve,
    x: coordinate(jwk, 'x', size),
  };
  if (!okp) clean.y = coordinate(jwk, 'y', size);
  try {
    return createPublicKey({ key: clean as never, format: 'jwk' });
  } catch {
    throw invalidEpk('the epk is not a point on its curve');
  }
}

/** A fresh ephemeral key pair on the recipient's curve, and its public JWK for the header. */
export function ephemeralPair(curve: string): { privateKey: KeyObject; epk: Record<string, string> } {
  const pair =
    curve === 'X25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const epk: Record<string, string> =
    curve === 'X25519'
      ? { kty: 'OKP', crv: curve, x: jwk.x! }
      : { kty: 'EC', crv: curve, x: jwk.x!, y: jwk.y! };
  return { privateKey: pair.privateKey, epk };
}

/**
 * The shared secret Z. An all-zero X25519 result (a small-order point, RFC 7748 §6.1) is refused;
 * OpenSSL already refuses it, and this check holds if that ever changes.
 */
export function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer {
  let z: Buffer;
  try {
    z = diffieHellman({ privateKey, publicKey });
  } catch {
    throw decryptionFailed();
  }
  if (z.every((byte) => byte === 0)) throw decryptionFailed();
  return z;
}
