import { type Algorithm, algorithmSpec } from './algorithms.js';
import { JwtError } from './errors.js';
import { importJWK, type JWK, type JWKS } from './jwk.js';
import type { JwsHeader } from './jws.js';
import type { Key } from './keys.js';

/** Anything that picks the candidate keys for a token's header, synchronously. */
export interface KeySet {
  select(header: JwsHeader): readonly Key[];
}

/** A key set built from a JWKS document. */
export interface LocalKeySet extends KeySet {
  /** The keys of the set, as given. */
  readonly jwks: Readonly<JWKS>;
}

/** At most this many keys are tried for one token: a header without kid cannot make us try all. */
const MAX_CANDIDATES = 5;

/**
 * A key set from a JWKS (RFC 7517 §5), for verifying tokens from an issuer with several keys.
 * The set is checked when made: no private asymmetric keys, no mix of secret and public keys, no
 * duplicate `kid`. Per token, keys are selected by `kid`, `kty`, `alg`, `crv`, `use` and `key_ops`.
 *
 * @example
 * const keys = createLocalKeySet(await (await fetch(jwksUri)).json());
 * verify(token, keys, { algorithms: ['ES256'] });
 */
export function createLocalKeySet(jwks: JWKS): LocalKeySet {
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
  const entries = jwks.keys.map((jwk) => ({
    jwk: Object.freeze({ ...jwk }) as JWK,
    imported: new Map<string, Key | JwtError>(),
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
        let key = entry.imported.get(spec.alg);
        if (key === undefined) {
          try {
            key = importJWK(jwk, spec.alg as Algorithm);
          } catch (error) {
            key =
              error instanceof JwtError
                ? error
                : new JwtError('ERR_JWK_INVALID', 'the key could not be imported');
          }
          entry.imported.set(spec.alg, key);
        }
        if (key instanceof JwtError) refused = key;
        else if (candidates.push(key) >= MAX_CANDIDATES) break;
      }
      if (candidates.length === 0) {
        throw refused ?? new JwtError('ERR_JWKS_NO_MATCH', 'no key of the key set matches the token');
      }
      return candidates;
    },
  });
}
