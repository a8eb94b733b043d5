/**
 * The algorithm table (RFC 7518 §3, RFC 8037 §3.1): one row per JWS `alg`. Signing, verification
 * and key import look everything up here; adding an algorithm is adding a row.
 */

/**
 * The families a key is bound to. A key of one family never serves another: an RSA signing key
 * never decrypts (RSA-OAEP), an EC signing key never agrees a key (ECDH), an AES key-wrapping key
 * is never a direct content key (`DIR`). The JWE families are those of jwe-algorithms.ts.
 */
export type KeyFamily =
  | 'HMAC'
  | 'RSA'
  | 'RSA-PSS'
  | 'EC'
  | 'OKP'
  | 'RSA-OAEP'
  | 'ECDH'
  | 'AES-KW'
  | 'AES-GCMKW'
  | 'DIR';

/** The JWS algorithms Sesame signs and verifies. `none` is deliberately absent. */
export type Algorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

export interface AlgorithmSpec {
  readonly alg: Algorithm;
  readonly family: KeyFamily;
  /** The JWK `kty` of keys for this algorithm. */
  readonly kty: 'oct' | 'RSA' | 'EC' | 'OKP';
  /** node:crypto digest name; null for EdDSA, whose hash is part of the scheme. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** Output size of the hash in bytes: the minimum HMAC secret length (RFC 7518 §3.2). */
  readonly hashBytes: number;
  /** ECDSA: the JWK curve and the exact raw r||s signature length (RFC 7518 §3.4). */
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly signatureBytes?: number;
}

const rows: AlgorithmSpec[] = [
  { alg: 'HS256', family: 'HMAC', kty: 'oct', hash: 'sha256', hashBytes: 32 },
  { alg: 'HS384', family: 'HMAC', kty: 'oct', hash: 'sha384', hashBytes: 48 },
  { alg: 'HS512', family: 'HMAC', kty: 'oct', hash: 'sha512', hashBytes: 64 },
  { alg: 'RS256', family: 'RSA', kty: 'RSA', hash: 'sha256', hashBytes: 32 },
  { alg: 'RS384', family: 'RSA', kty: 'RSA', hash: 'sha384', hashBytes: 48 },
  { alg: 'RS512', family: 'RSA', kty: 'RSA', hash: 'sha512', hashBytes: 64 },
  { alg: 'PS256', family: 'RSA-PSS', kty: 'RSA', hash: 'sha256', hashBytes: 32 },
  { alg: 'PS384', family: 'RSA-PSS', kty: 'RSA', hash: 'sha384', hashBytes: 48 },
  { alg: 'PS512', family: 'RSA-PSS', kty: 'RSA', hash: 'sha512', hashBytes: 64 },
  {
    alg: 'ES256',
    family: 'EC',
    kty: 'EC',
    hash: 'sha256',
    hashBytes: 32,
    curve: 'P-256',
    signatureBytes: 64,
  },
  {
    alg: 'ES384',
    family: 'EC',
    kty: 'EC',
    hash: 'sha384',
    hashBytes: 48,
    curve: 'P-384',
    signatureBytes: 96,
  },
  {
    alg: 'ES512',
    family: 'EC',
    kty: 'EC',
    hash: 'sha512',
    hashBytes: 64,
    curve: 'P-521',
    signatureBytes: 132,
  },
  { alg: 'EdDSA', family: 'OKP', kty: 'OKP', hash: null, hashBytes: 0 },
];

const table = new Map<string, AlgorithmSpec>(rows.map((row) => [row.alg, Object.freeze(row)]));

/** Every supported algorithm, in table order. */
export const ALGORITHMS: readonly Algorithm[] = Object.freeze(rows.map((row) => row.alg));

/** The table row for `alg`, or undefined when Sesame does not support it (including `none`). */
export function algorithmSpec(alg: unknown): AlgorithmSpec | undefined {
  return typeof alg === 'string' ? table.get(alg) : undefined;
}

/** Minimum RSA modulus size accepted at import (RFC 7518 §3.3 requires 2048 bits). */
export const MIN_RSA_BITS = 2048;

/** node:crypto names of the JOSE curves. */
export const NODE_CURVES: Readonly<Record<string, string>> = Object.freeze({
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
});
