/**
 * The client's key that a response is encrypted to (OpenID Connect Core §10.2): a public key of
 * its registered key set (`jwks`, or the one at `jwks_uri`) meant for encryption (`use: "enc"`, or
 * no `use`), whose type fits the key management algorithm and whose own `alg`, if it names one, is
 * that algorithm. A key meant for signatures is never used, so a client's assertion key cannot
 * become the key its ID tokens are encrypted to by accident.
 */
import { importJWK, type JWK, type Key, type KeyManagementAlgorithm } from '@sesame/jwt';

/** Key management algorithms a client may register: asymmetric, and neither RSA1_5 nor PBES2. */
export const ENCRYPTION_ALGORITHMS = [
  'RSA-OAEP',
  'RSA-OAEP-256',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A192KW',
  'ECDH-ES+A256KW',
] as const satisfies readonly KeyManagementAlgorithm[];

/** Content encryption algorithms a client may register (RFC 7518 §5.1). */
export const ENCRYPTION_ENCS = [
  'A128CBC-HS256',
  'A192CBC-HS384',
  'A256CBC-HS512',
  'A128GCM',
  'A192GCM',
  'A256GCM',
] as const;

/**
 * The algorithm a key of use `enc` is checked with at registration when it names none: the
 * strongest registered one its type can serve.
 */
export function defaultEncryptionAlg(jwk: JWK): KeyManagementAlgorithm | undefined {
  if (jwk.kty === 'RSA') return 'RSA-OAEP-256';
  if (jwk.kty === 'EC' || jwk.kty === 'OKP') return 'ECDH-ES';
  return undefined;
}

/**
 * The first key of `keys` that encrypts with `alg` (one of `use: "enc"` before one with no use),
 * imported; undefined when none does.
 *
 * @example const key = selectEncryptionKey(client.jwks.keys, 'RSA-OAEP-256');
 */
export function selectEncryptionKey(
  keys: readonly JWK[],
  alg: KeyManagementAlgorithm,
): Key<KeyManagementAlgorithm> | undefined {
  const ordered = [
    ...keys.filter((jwk) => jwk.use === 'enc'),
    ...keys.filter((jwk) => jwk.use === undefined),
  ];
  for (const jwk of ordered) {
    // A private member means the registration leaked a key; it is never used (validate-keys.ts
    // refuses such sets, and a fetched set with one is refused whole).
    if (jwk.d !== undefined || jwk.kty === 'oct') continue;
    try {
      // importJWK checks the type, the JWK's alg, `use` and `key_ops`, and the curve's fitness.
      return importJWK<KeyManagementAlgorithm>(jwk, alg);
    } catch {
      // not this one
    }
  }
  return undefined;
}
