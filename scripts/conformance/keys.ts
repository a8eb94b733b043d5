/**
 * How a vector's key becomes what a Sesame verifier holds: the public part of the JWK (or of every
 * JWK of a set), and the algorithm allow-list an application would configure for it.
 */
import {
  ALGORITHMS,
  type Algorithm,
  algorithmSpec,
  createLocalKeySet,
  importJWK,
  type JWK,
  type JwsHeader,
  type Key,
  type KeySet,
} from '../../packages/jwt/src/index.js';

/** Members that make a JWK private (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/**
 * The public part of a JWK. An `oct` key has none: the verifier holds the secret itself. Every
 * other member (`alg`, `use`, `key_ops`, `kid`) is kept, because refusing a key for them is part
 * of what the vectors test.
 */
export function publicPart(jwk: JWK): JWK {
  if (jwk.kty === 'oct') return jwk;
  const out: JWK = {};
  for (const [name, value] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.includes(name)) out[name] = value;
  return out;
}

/**
 * The allow-list for a key: its own `alg` when Sesame supports that algorithm, otherwise every
 * algorithm of its `kty` (what an application configures for a key that names no algorithm).
 * A key whose `alg` Sesame does not know (such as "ES521") still gets its family's list: the key
 * import then decides, which is the behaviour under test.
 */
export function allowListFor(jwk: JWK): Algorithm[] {
  const own = algorithmSpec(jwk.alg);
  if (own) return [own.alg];
  const family = ALGORITHMS.filter((alg) => algorithmSpec(alg)!.kty === jwk.kty);
  // A JWK of an unknown kty has no family; any list will do, the import refuses the key.
  return family.length > 0 ? family : [...ALGORITHMS];
}

/**
 * One JWK as a key resolver: it imports the key for the (already allow-listed) algorithm of the
 * token, once per algorithm. Importing inside verification means a refused key rejects the token
 * with the import's own error code, and a key that names no `alg` serves each algorithm of its
 * family. No `kid` matching: the verifier was given this one key.
 */
export function singleKey(jwk: JWK): KeySet {
  const imported = new Map<string, Key>();
  return {
    select(header: JwsHeader): readonly Key[] {
      let key = imported.get(header.alg);
      if (key === undefined) {
        key = importJWK(jwk, header.alg as Algorithm);
        imported.set(header.alg, key);
      }
      return [key];
    },
  };
}

export interface Verifier {
  key: KeySet;
  algorithms: Algorithm[];
}

/**
 * The verifier for a vector's key: a single JWK, or a set `{ keys: [...] }` made into a local key
 * set. Building a key set can itself fail (mixed secret and public keys, duplicate kid); that is
 * returned as a thrown error at verification time, so the case counts it as a rejection.
 */
export function verifierFor(key: JWK | { keys: JWK[] }): Verifier {
  if (Array.isArray((key as { keys?: unknown }).keys)) {
    const keys = (key as { keys: JWK[] }).keys.map(publicPart);
    const algorithms = [...new Set(keys.flatMap(allowListFor))];
    let set: KeySet;
    try {
      set = createLocalKeySet({ keys });
    } catch (error) {
      set = {
        select() {
          throw error;
        },
      };
    }
    return { key: set, algorithms };
  }
  const jwk = publicPart(key as JWK);
  return { key: singleKey(jwk), algorithms: allowListFor(jwk) };
}
