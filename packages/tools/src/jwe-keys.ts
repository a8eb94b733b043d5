/**
 * Keys and algorithm names for `sesame token encrypt|decrypt`: the JWE key management and content
 * encryption algorithms checked against @sesame/jwt's tables, and key files imported for them.
 */
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  type ContentEncryptionAlgorithm,
  contentEncryptionSpec,
  importJWK,
  importKey,
  KEY_MANAGEMENT_ALGORITHMS,
  type Key,
  type KeyManagementAlgorithm,
  keyManagementSpec,
} from '@sesame/jwt';
import { badInput, usage } from './errors.js';
import type { KeySource } from './key-files.js';

/** Checks an --alg value against the key management table (RSA1_5 and PBES2 are not in it). */
export function parseKeyManagementAlg(value: string): KeyManagementAlgorithm {
  if (!keyManagementSpec(value)) {
    throw usage(`unsupported key management algorithm; use one of ${KEY_MANAGEMENT_ALGORITHMS.join(', ')}`);
  }
  return value as KeyManagementAlgorithm;
}

/** Checks an --enc value against the content encryption table. */
export function parseEnc(value: string): ContentEncryptionAlgorithm {
  if (!contentEncryptionSpec(value)) {
    throw usage(`unsupported content encryption; use one of ${CONTENT_ENCRYPTION_ALGORITHMS.join(', ')}`);
  }
  return value as ContentEncryptionAlgorithm;
}

/**
 * The key management algorithm for one key file: the one asked for, else the JWK's own `alg` (a
 * `dir` key may name its enc there), else a usage error — a PEM key does not say whether it is for
 * RSA-OAEP or RSA-OAEP-256, or which ECDH-ES variant.
 */
export function chooseKeyManagementAlg(
  source: KeySource,
  requested: string | undefined,
): KeyManagementAlgorithm {
  if (requested !== undefined) return parseKeyManagementAlg(requested);
  if (source.kind === 'jwk' && typeof source.jwk.alg === 'string') {
    if (keyManagementSpec(source.jwk.alg)) return source.jwk.alg as KeyManagementAlgorithm;
    if (contentEncryptionSpec(source.jwk.alg)) return 'dir';
  }
  throw usage(`the key in ${source.path} does not say its key management algorithm; give --alg`);
}

/** Imports a PEM or JWK source for one key management algorithm, with @sesame/jwt's checks. */
export function importEncryptionKey(
  source: KeySource,
  alg: KeyManagementAlgorithm,
  kid?: string,
): Key<KeyManagementAlgorithm> {
  if (source.kind === 'jwks') throw badInput(`${source.path} is a key set; one key is expected here`);
  const options = kid === undefined ? {} : { kid };
  return source.kind === 'jwk' ? importJWK(source.jwk, alg, options) : importKey(source.pem, alg, options);
}
