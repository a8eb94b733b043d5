import type { Buffer } from 'node:buffer';
import { JwtError } from './errors.js';
import {
  type ContentEncryptionAlgorithm,
  contentEncryptionSpec,
  type KeyManagementAlgorithm,
  keyManagementSpec,
} from './jwe-algorithms.js';
import { DEFAULT_MAX_TOKEN_SIZE } from './jws.js';
import { Key } from './keys.js';
import { decryptContent } from './lib/content-encryption.js';
import { assertJweKeyFits } from './lib/jwe-keys.js';
import { type JweHeader, type JweParseOptions, type ParsedJwe, parseJwe } from './lib/jwe-parts.js';
import { unwrapCek } from './lib/key-management.js';

export type { JweHeader } from './lib/jwe-parts.js';

export interface DecryptOptions {
  /** The allow-list of key management algorithms. Required: the token never chooses its own. */
  keyManagementAlgorithms: readonly KeyManagementAlgorithm[];
  /** The allow-list of content encryption algorithms. Required. */
  contentEncryptionAlgorithms: readonly ContentEncryptionAlgorithm[];
  /** Maximum token size in bytes (default 16 KiB), checked before anything is decoded. */
  maxTokenSize?: number;
  /** Critical header parameters the caller processes itself. */
  crit?: readonly string[];
}

/** Anything that picks the candidate decryption keys for a JWE header (a key set made with `use: 'enc'`). */
export interface DecryptionKeySet {
  select(header: JweHeader): readonly Key<KeyManagementAlgorithm>[];
}

export interface DecryptResult {
  header: JweHeader;
  plaintext: Buffer;
  /** The key that decrypted the token. */
  key: Key<KeyManagementAlgorithm>;
}

/** A bound decrypting function from `createDecrypter`. */
export type Decrypter = (token: string) => DecryptResult;

function list(value: unknown, name: string, known: (item: unknown) => unknown): Set<string> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new JwtError('ERR_OPTION_INVALID', `${name} must be a non-empty allow-list`);
  }
  for (const item of value) {
    if (!known(item)) throw new JwtError('ERR_OPTION_INVALID', `unsupported algorithm in ${name}`);
  }
  return new Set(value as string[]);
}

/** @internal Validates the options shared by every decrypting function. */
export function parseDecryptOptions(options: DecryptOptions): JweParseOptions {
  if (typeof options !== 'object' || options === null) {
    throw new JwtError('ERR_OPTION_INVALID', 'options with the algorithm allow-lists are required');
  }
  const { maxTokenSize = DEFAULT_MAX_TOKEN_SIZE, crit = [] } = options;
  if (!Number.isInteger(maxTokenSize) || maxTokenSize <= 0) {
    throw new JwtError('ERR_OPTION_INVALID', 'maxTokenSize must be a positive integer');
  }
  if (!Array.isArray(crit) || crit.some((name) => typeof name !== 'string')) {
    throw new JwtError('ERR_OPTION_INVALID', 'crit must be a list of names');
  }
  return {
    maxTokenSize,
    crit,
    keyManagementAlgorithms: list(
      options.keyManagementAlgorithms,
      'keyManagementAlgorithms',
      keyManagementSpec,
    ),
    contentEncryptionAlgorithms: list(
      options.contentEncryptionAlgorithms,
      'contentEncryptionAlgorithms',
      contentEncryptionSpec,
    ),
  };
}

/** @internal Decrypts a parsed JWE with one key (RFC 7516 §5.2 steps 6–16). */
export function decryptWith(parsed: ParsedJwe, key: Key<KeyManagementAlgorithm>): Buffer {
  assertJweKeyFits(key, parsed.km, parsed.enc, true);
  const cek = unwrapCek(parsed.km, parsed.enc, key, parsed.header, parsed.encryptedKey);
  return decryptContent(parsed.enc, cek, parsed, parsed.aad);
}

/** @internal Tries the key, or the key set's candidates, until one decrypts. */
export function decryptWithKeys(
  parsed: ParsedJwe,
  key: Key<KeyManagementAlgorithm> | DecryptionKeySet,
): { plaintext: Buffer; key: Key<KeyManagementAlgorithm> } {
  if (key instanceof Key) return { plaintext: decryptWith(parsed, key), key };
  const candidates = key.select(parsed.header);
  if (candidates.length === 0) throw new JwtError('ERR_JWKS_NO_MATCH', 'no key matches the token');
  let failure: unknown;
  for (const candidate of candidates) {
    try {
      return { plaintext: decryptWith(parsed, candidate), key: candidate };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/**
 * Validates the options and key once and returns a function that decrypts compact JWEs fast.
 * `alg` and `enc` must be in the allow-lists; `RSA1_5`, `PBES2-*` and `zip` are always refused
 * (ERR_JOSE_NOT_SUPPORTED). Every failure of the cryptography is ERR_JWE_DECRYPTION_FAILED.
 *
 * @example
 * const decryptFromClient = createDecrypter({
 *   key: importJWK(privateJwk, 'RSA-OAEP-256'),
 *   keyManagementAlgorithms: ['RSA-OAEP-256'],
 *   contentEncryptionAlgorithms: ['A256GCM'],
 * });
 * const { plaintext } = decryptFromClient(token);
 */
export function createDecrypter(
  options: DecryptOptions & { key: Key<KeyManagementAlgorithm> | DecryptionKeySet },
): Decrypter {
  const parse = parseDecryptOptions(options);
  const { key } = options;
  if (key instanceof Key) {
    if (!keyManagementSpec(key.alg))
      throw new JwtError('ERR_OPTION_INVALID', 'the key is not an encryption key');
    if (key.type === 'public') throw new JwtError('ERR_OPTION_INVALID', 'decrypting needs the private key');
  } else if (typeof (key as DecryptionKeySet)?.select !== 'function') {
    throw new JwtError('ERR_OPTION_INVALID', 'a Key or a key set is required');
  }
  return (token) => {
    const parsed = parseJwe(token, parse);
    const { plaintext, key: used } = decryptWithKeys(parsed, key);
    return { header: parsed.header, plaintext, key: used };
  };
}

/**
 * Decrypts a compact JWE and returns its header and plaintext bytes. For a JWT use `decryptJwt`.
 *
 * @example
 * const { plaintext } = decrypt(token, privateKey, {
 *   keyManagementAlgorithms: ['ECDH-ES+A256KW'],
 *   contentEncryptionAlgorithms: ['A256GCM'],
 * });
 */
export function decrypt(
  token: string,
  key: Key<KeyManagementAlgorithm> | DecryptionKeySet,
  options: DecryptOptions,
): DecryptResult {
  return createDecrypter({ ...options, key })(token);
}
