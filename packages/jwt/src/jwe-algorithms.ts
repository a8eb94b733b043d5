/**
 * The JWE algorithm tables (RFC 7518 §4 and §5, RFC 8037 §3.2): one row per key management `alg`
 * and one per content encryption `enc`. Encryption, decryption and key import look everything up
 * here; adding an algorithm is adding a row. Algorithms refused on purpose have their own list, so
 * they fail with a code that says so rather than as unknown names.
 */
import type { KeyFamily } from './algorithms.js';

/** The JWE key management algorithms Sesame supports. */
export type KeyManagementAlgorithm =
  | 'RSA-OAEP'
  | 'RSA-OAEP-256'
  | 'ECDH-ES'
  | 'ECDH-ES+A128KW'
  | 'ECDH-ES+A192KW'
  | 'ECDH-ES+A256KW'
  | 'A128KW'
  | 'A192KW'
  | 'A256KW'
  | 'A128GCMKW'
  | 'A192GCMKW'
  | 'A256GCMKW'
  | 'dir';

/** The JWE content encryption algorithms Sesame supports. */
export type ContentEncryptionAlgorithm =
  | 'A128GCM'
  | 'A192GCM'
  | 'A256GCM'
  | 'A128CBC-HS256'
  | 'A192CBC-HS384'
  | 'A256CBC-HS512';

/** How the content encryption key (CEK) is carried or agreed (RFC 7516 §2, "Key Management Mode"). */
export type KeyManagementMode = 'rsa-oaep' | 'ecdh-es' | 'ecdh-es-kw' | 'aes-kw' | 'aes-gcmkw' | 'dir';

export interface KeyManagementSpec {
  readonly alg: KeyManagementAlgorithm;
  readonly family: KeyFamily;
  readonly mode: KeyManagementMode;
  /** The JWK `kty` values of keys for this algorithm. */
  readonly kty: readonly ('RSA' | 'EC' | 'OKP' | 'oct')[];
  /** RSA-OAEP: the hash of OAEP and of its MGF1 (RFC 7518 §4.3). */
  readonly oaepHash?: 'sha1' | 'sha256';
  /**
   * AES-KW and AES-GCMKW: the exact length of the wrapping key; ECDH-ES+AxxxKW: the length of the
   * key-encryption key the Concat KDF derives (RFC 7518 §4.6.2 keydatalen).
   */
  readonly keyBytes?: number;
}

export interface ContentEncryptionSpec {
  readonly enc: ContentEncryptionAlgorithm;
  readonly mode: 'gcm' | 'cbc-hs';
  /** CEK length: the AES key for GCM; MAC key and AES key together for CBC-HS (RFC 7518 §5.2.2). */
  readonly keyBytes: number;
  readonly ivBytes: number;
  /** The exact tag length: any other length is refused before any computation. */
  readonly tagBytes: number;
  /** node:crypto cipher name. */
  readonly cipher: string;
  /** CBC-HS: the HMAC hash. */
  readonly hash?: 'sha256' | 'sha384' | 'sha512';
}

const RSA = ['RSA'] as const;
const ECDH = ['EC', 'OKP'] as const;
const OCT = ['oct'] as const;

const keyManagementRows: KeyManagementSpec[] = [
  { alg: 'RSA-OAEP', family: 'RSA-OAEP', mode: 'rsa-oaep', kty: RSA, oaepHash: 'sha1' },
  { alg: 'RSA-OAEP-256', family: 'RSA-OAEP', mode: 'rsa-oaep', kty: RSA, oaepHash: 'sha256' },
  { alg: 'ECDH-ES', family: 'ECDH', mode: 'ecdh-es', kty: ECDH },
  { alg: 'ECDH-ES+A128KW', family: 'ECDH', mode: 'ecdh-es-kw', kty: ECDH, keyBytes: 16 },
  { alg: 'ECDH-ES+A192KW', family: 'ECDH', mode: 'ecdh-es-kw', kty: ECDH, keyBytes: 24 },
  { alg: 'ECDH-ES+A256KW', family: 'ECDH', mode: 'ecdh-es-kw', kty: ECDH, keyBytes: 32 },
  { alg: 'A128KW', family: 'AES-KW', mode: 'aes-kw', kty: OCT, keyBytes: 16 },
  { alg: 'A192KW', family: 'AES-KW', mode: 'aes-kw', kty: OCT, keyBytes: 24 },
  { alg: 'A256KW', family: 'AES-KW', mode: 'aes-kw', kty: OCT, keyBytes: 32 },
  { alg: 'A128GCMKW', family: 'AES-GCMKW', mode: 'aes-gcmkw', kty: OCT, keyBytes: 16 },
  { alg: 'A192GCMKW', family: 'AES-GCMKW', mode: 'aes-gcmkw', kty: OCT, keyBytes: 24 },
  { alg: 'A256GCMKW', family: 'AES-GCMKW', mode: 'aes-gcmkw', kty: OCT, keyBytes: 32 },
  { alg: 'dir', family: 'DIR', mode: 'dir', kty: OCT },
];

const contentRows: ContentEncryptionSpec[] = [
  { enc: 'A128GCM', mode: 'gcm', keyBytes: 16, ivBytes: 12, tagBytes: 16, cipher: 'aes-128-gcm' },
  { enc: 'A192GCM', mode: 'gcm', keyBytes: 24, ivBytes: 12, tagBytes: 16, cipher: 'aes-192-gcm' },
  { enc: 'A256GCM', mode: 'gcm', keyBytes: 32, ivBytes: 12, tagBytes: 16, cipher: 'aes-256-gcm' },
  {
    enc: 'A128CBC-HS256',
    mode: 'cbc-hs',
    keyBytes: 32,
    ivBytes: 16,
    tagBytes: 16,
    cipher: 'aes-128-cbc',
    hash: 'sha256',
  },
  {
    enc: 'A192CBC-HS384',
    mode: 'cbc-hs',
    keyBytes: 48,
    ivBytes: 16,
    tagBytes: 24,
    cipher: 'aes-192-cbc',
    hash: 'sha384',
  },
  {
    enc: 'A256CBC-HS512',
    mode: 'cbc-hs',
    keyBytes: 64,
    ivBytes: 16,
    tagBytes: 32,
    cipher: 'aes-256-cbc',
    hash: 'sha512',
  },
];

const keyManagementTable = new Map<string, KeyManagementSpec>(
  keyManagementRows.map((row) => [row.alg, Object.freeze(row)]),
);
const contentTable = new Map<string, ContentEncryptionSpec>(
  contentRows.map((row) => [row.enc, Object.freeze(row)]),
);

/** Every supported key management algorithm, in table order. */
export const KEY_MANAGEMENT_ALGORITHMS: readonly KeyManagementAlgorithm[] = Object.freeze(
  keyManagementRows.map((row) => row.alg),
);

/** Every supported content encryption algorithm, in table order. */
export const CONTENT_ENCRYPTION_ALGORITHMS: readonly ContentEncryptionAlgorithm[] = Object.freeze(
  contentRows.map((row) => row.enc),
);

/** The table row for a key management `alg`, or undefined when Sesame does not support it. */
export function keyManagementSpec(alg: unknown): KeyManagementSpec | undefined {
  return typeof alg === 'string' ? keyManagementTable.get(alg) : undefined;
}

/** The table row for an `enc`, or undefined when Sesame does not support it. */
export function contentEncryptionSpec(enc: unknown): ContentEncryptionSpec | undefined {
  return typeof enc === 'string' ? contentTable.get(enc) : undefined;
}

/**
 * @internal Algorithms refused on purpose, with the reason. RSA1_5 invites Bleichenbacher's
 * padding oracle (RFC 8725 §3.2); PBES2 lets the token choose the iteration count `p2c`, a
 * denial of service, and password-derived keys have no place in tokens between servers.
 */
export function refusedKeyManagement(alg: unknown): string | undefined {
  if (alg === 'RSA1_5') return 'RSA1_5 is refused (padding oracle, RFC 8725 §3.2)';
  if (typeof alg === 'string' && alg.startsWith('PBES2-')) return 'PBES2 key management is refused';
  return undefined;
}
