import { type Algorithm, algorithmSpec } from './algorithms.js';
import type { DecryptionKeySet } from './decrypt.js';
import { JwtError } from './errors.js';
import { contentEncryptionSpec, type KeyManagementAlgorithm, keyManagementSpec } from './jwe-algorithms.js';
import { importJWK, type JWK, type JWKS } from './jwk.js';
import type { JwsHeader } from './jws.js';
import type { Key, KeyAlgorithm } from './keys.js';
import type { JweHeader } from './lib/jwe-parts.js';

/** Anything that picks the candidate keys for a token's header, synchronously. */
export interface KeySet {
  select(header: JwsHeader): readonly Key[];
}

/** A key set built from a JWKS document. */
export interface LocalKeySet extends KeySet {
  /** The keys of the set, as given. */
  readonly jwks: Readonly<JWKS>;
}

/** A decryption key set built from a JWKS document holding private keys (`use: 'enc'`). */
export interface LocalDecryptionKeySet extends DecryptionKeySet {
  readonly jwks: Readonly<JWKS>;
}

interface Entry {
  jwk: JWK;
  imported: Map<string, Key<KeyAlgorithm> | JwtError>;
}

/** The key of an entry for one algorithm, imported once; a refused key is remembered as its error. */
function importOnce(entry: Entry, alg: KeyAlgorithm): Key<KeyAlgorithm> | JwtError {
  let key = entry.imported.get(alg);
  if (key === undefined) {
    try {
      key = importJWK<KeyAlgorithm>(entry.jwk, alg);
    } catch (error) {
      key =
        error instanceof JwtError ? error : new JwtError('ERR_JWK_INVALID', 'the key could not be imported');
    }
    entry.imported.set(alg, key);
  }
  return key;
}

/** At most this many keys are tried for one token: a header without kid cannot make us try all. */
const MAX_CANDIDATES = 5;

/**
 * A key set from a JWKS (RFC 7517 §5), for verifying tokens from an issuer with several keys.
 * The set is checked when made: no private asymmetric keys, no mix of secret and public keys, no
 * duplicate `kid`. Per token, keys are selected by `kid`, `kty`, `alg`, `crv`, `use` and `key_ops`.
 *
 * With `{ use: 'enc' }` it is a decryption key set instead: private keys (which decryption needs)
 * are allowed, keys meant for signatures are never selected, and keys are selected by `kid`, the
 * key management `alg` and, for ECDH-ES, the curve of the token's `epk`.
 *
 * @example
 * const keys = createLocalKeySet(await (await fetch(jwksUri)).json());
 * verify(token, keys, { algorithms: ['ES256'] });
 * const ours = createLocalKeySet(privateJwks, { use: 'enc' });
 * decrypt(jwe, ours, { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] });
 */
export function createLocalKeySet(jwks: JWKS, options: { use: 'enc' }): LocalDecryptionKeySet;
export function createLocalKeySet(jwks: JWKS, options?: { use?: 'sig' }): LocalKeySet;
export function createLocalKeySet(
  jwks: JWKS,
  options: { use?: 'sig' | 'enc' } = {},
): LocalKeySet | LocalDecryptionKeySet {
  if (options.use === 'enc') return createDecryptionKeySet(jwks);
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
    throw new JwtError('ERR_JWK_INVALID', 'a JWKS must be an object with a keys list');
  }
  const kids = new Set<string>();
  let secrets = 0;
  for (const jwk of jwks.keys) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new JwtError('ERR_JWK_INVALID', 'every member of keys must be a JWK object');
    }
    if (jwk.kty === 'oct') secrets++;
    else if (jwk.d !== undefined)
      throw new JwtError('ERR_JWK_INVALID', 'a key set must not hold private keys');
    if (jwk.kid !== undefined) {
      if (typeof jwk.kid !== 'string') throw new JwtError('ERR_JWK_INVALID', 'kid must be a string');
      if (kids.has(jwk.kid)) throw new JwtError('ERR_JWK_INVALID', 'the key set has a duplicate kid');
      kids.add(jwk.kid);
    }
  }
  if (secrets > 0 && secrets < jwks.keys.length) {
    throw new JwtError('ERR_JWK_INVALID', 'a key set must not mix secret and public keys');
  }
  const entries: Entry[] = jwks.keys.map((jwk) => ({
    jwk: Object.freeze({ ...jwk }) as JWK,
    imported: new Map(),
  }));
  const frozen = Object.freeze({ keys: Object.freeze(entries.map((entry) => entry.jwk)) }) as JWKS;

  return Object.freeze({
    jwks: frozen,
    select(header: JwsHeader): readonly Key[] {
      const spec = algorithmSpec(header.alg);
      if (!spec) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the token algorithm is not allowed');
      const candidates: Key[] = [];
      let refused: JwtError | undefined;
      for (const entry of entries) {
        const { jwk } = entry;
        if (jwk.kty !== spec.kty) continue;
        if (header.kid !== undefined && jwk.kid !== header.kid) continue;
        if (jwk.alg !== undefined && jwk.alg !== spec.alg) continue;
        if (spec.curve !== undefined && jwk.crv !== spec.curve) continue;
        const key = importOnce(entry, spec.alg as Algorithm);
        if (key instanceof JwtError) refused = key;
        else if (candidates.push(key as Key) >= MAX_CANDIDATES) break;
      }
      if (candidates.length === 0) {
        throw refused ?? new JwtError('ERR_JWKS_NO_MATCH', 'no key of the key set matches the token');
      }
      return candidates;
    },
  });
}

/**
 * A decryption key set: private keys allowed, keys with `use` other than "enc" never selected.
 * Per token, keys are selected by `kid`, the key management `alg` (its `kty`, the JWK's own `alg`)
 * and, for ECDH-ES, the curve of the token's `epk`.
 */
function createDecryptionKeySet(jwks: JWKS): LocalDecryptionKeySet {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
    throw new JwtError('ERR_JWK_INVALID', 'a JWKS must be an object with a keys list');
  }
  const kids = new Set<string>();
  for (const jwk of jwks.keys) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      throw new JwtError('ERR_JWK_INVALID', 'every member of keys must be a JWK object');
    }
    if (typeof jwk.kid === 'string') {
      if (kids.has(jwk.kid)) throw new JwtError('ERR_JWK_INVALID', 'the key set has a duplicate kid');
      kids.add(jwk.kid);
    }
  }
  const entries: Entry[] = jwks.keys.map((jwk) => ({
    jwk: Object.freeze({ ...jwk }) as JWK,
    imported: new Map(),
  }));
  const frozen = Object.freeze({ keys: Object.freeze(entries.map((entry) => entry.jwk)) }) as JWKS;
  return Object.freeze({
    jwks: frozen,
    select(header: JweHeader): readonly Key<KeyManagementAlgorithm>[] {
      const km = keyManagementSpec(header.alg);
      if (!km) throw new JwtError('ERR_JOSE_ALG_NOT_ALLOWED', 'the token algorithm is not allowed');
      const crv = (header.epk as { crv?: unknown } | undefined)?.crv;
      const candidates: Key<KeyManagementAlgorithm>[] = [];
      let refused: JwtError | undefined;
      for (const entry of entries) {
        const { jwk } = entry;
        if (jwk.use !== undefined && jwk.use !== 'enc') continue;
        if (!(km.kty as readonly unknown[]).includes(jwk.kty)) continue;
        if (jwk.kty !== 'oct' && jwk.d === undefined) continue; // a public key cannot decrypt
        if (header.kid !== undefined && jwk.kid !== header.kid) continue;
        // A direct key that names its enc (RFC 7520 §5.6) serves that enc only.
        const namesEnc = contentEncryptionSpec(jwk.alg) !== undefined;
        if (namesEnc && jwk.alg !== header.enc) continue;
        const jwkAlg = namesEnc ? 'dir' : jwk.alg;
        if (jwkAlg !== undefined && jwkAlg !== km.alg) continue;
        if (km.family === 'ECDH' && jwk.crv !== crv) continue;
        const key = importOnce(entry, km.alg);
        if (key instanceof JwtError) refused = key;
        else if (candidates.push(key as Key<KeyManagementAlgorithm>) >= MAX_CANDIDATES) break;
      }
      if (candidates.length === 0) {
        throw refused ?? new JwtError('ERR_JWKS_NO_MATCH', 'no key of the key set matches the token');
      }
      return candidates;
    },
  });
}
